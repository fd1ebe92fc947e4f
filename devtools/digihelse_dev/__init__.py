"""Development and test tooling kept out of the product wheel: the embedded OpenID Connect
test providers (like ID-porten TestID and HelseID), their synthetic users, and the demo data."""
