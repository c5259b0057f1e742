"""Pure rule functions: every decision of the services, testable without I/O."""
