"""The partner API (partner-api.md): signing, errors, rendering; operations live in each app's
`api` module and are mounted by `site`."""
