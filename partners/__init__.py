"""The partner registry: partners, their X12 identities, lifecycle and test mode, keys, and
the audit history of every change.

The service functions here take a session factory and return plain data; the CLI
(`edi-gateway partners ...`), the HTTP API (`/api/v1/partners`) and the web UI all call them.
The tables themselves live with the rest of the store (`gateway.store.models`), so this
package builds on `gateway.store` (and `gateway.auth` for keys); nothing in `gateway` imports
it except the composition points (commands, API routes, the pipeline's ERP routing).
"""
