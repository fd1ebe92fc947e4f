"""FHIR R4 REST API under /fhir/R4/ (Meld. St. 9 (2023–2024), box 9.4): appointments and
the pregnancy card for integration with helsenorge, over the same services and rules as
the pages.

Every response is built as a model of `fhir.resources.R4B` (FHIR 4.3.0, the R4 family,
pydantic 2) and serialised from it, so it validates by construction; the API itself speaks
R4 (4.0.1) on the wire, and the resources used here have the same shape in both.

Modules: `routes` (the dispatcher and `fhir_routes(runtime)`), `auth` (session cookie or
bearer access token to an Actor), `capability` (the CapabilityStatement, made from the
same table the dispatcher uses), `search` (parameters, paging, Bundles), `mapping`
(domain rows to resources), `outcome` (errors as OperationOutcome), and one module per
group of resources: `patient`, `directory`, `appointment`, `pregnancy`."""
