"""The embedded OpenID Connect test providers (like ID-porten's TestID and HelseID), for
development and tests only. `provider.TestProvider` ties the endpoints together as
Starlette routes; `config` says what tells the citizen provider from the personnel one.
Every piece of flow state and the signing keys live in the database (`flowstore`), so any
worker serves any hop of a login."""
