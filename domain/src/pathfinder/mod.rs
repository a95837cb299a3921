//! Pathfinder Countries: onboarding to status, national roadmaps and the reporting cycle.
