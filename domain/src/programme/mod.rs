//! The Multi-Donor Programme: budget lines, donors, contributions, allocations, expenditure and reallocations.
