"""k2desk: vitamin K2 handouts, warfarin warnings and compound order forms for the pharmacy counter."""

__version__ = "0.1.0"
