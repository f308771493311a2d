"""The cXML exchange over HTTP: receiving requests (`inbound.receive_cxml`, served at
`POST /cxml/{partner}`), answering them with cXML `Response` documents (`responses`), and
POSTing our cXML documents to a partner's URL (`outbound.post_cxml`)."""
