"""Running the organization: organizations, accounts and sign-in, the scheduler, the demo data."""
