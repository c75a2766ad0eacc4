"""Helpers the tests share: truth comparison, goldens, renderings of the seed, the CLI runner,
warehouse state, the hostile corpus. Test modules import these, never each other."""
