"""At the machine: hand-over and return of a booked machine, defects that block it, repairs."""
