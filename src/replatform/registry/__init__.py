"""Registry truth: arm64 availability from the package indexes and registries users install from.

Every network call goes through `http.Fetcher` (timeouts, retries, an on-disk
cache with a TTL, and an offline switch). Nothing here runs code from a
package: metadata and file names only.
"""
