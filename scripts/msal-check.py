#!/usr/bin/env python3
"""Microsoft's own client library (MSAL for Python) against the tenant
emulator, unchanged: OpenID discovery, device-code sign-in, a silent refresh
(refresh-token grant) and a Graph call with the token.

Usage: python check.py <authority host URL> <tenant id> <client id> <demo-browser path>
with REQUESTS_CA_BUNDLE and DEMO_BROWSER_CA set to the emulator's CA file.
Prints one line per step; exits 1 on the first failure. Tokens are never printed.
"""
import os, subprocess, sys

import msal
import requests

host, tenant, client_id, demo_browser = sys.argv[1:5]
authority = host.rstrip("/") + "/" + tenant
graph = host.rstrip("/") + "/v1.0"
scopes = ["User.Read", "UserAuthenticationMethod.Read"]

# instance_discovery=False: MSAL otherwise asks login.microsoftonline.com
# whether the authority is a known Microsoft host (MSAL's documented switch
# for private clouds and test authorities).
app = msal.PublicClientApplication(client_id, authority=authority, instance_discovery=False)
flow = app.initiate_device_flow(scopes=scopes)
if "user_code" not in flow:
    sys.exit(f"device flow failed: {flow}")
print("device flow started, verification_uri", flow["verification_uri"])

env = dict(os.environ, DEMO_BROWSER_UPN="adele", DEMO_BROWSER_USER_CODE=flow["user_code"])
browser = subprocess.run([demo_browser, flow["verification_uri"]], env=env, capture_output=True, text=True)
if browser.returncode != 0:
    sys.exit(f"demo-browser failed: {browser.stderr[-500:]}")

result = app.acquire_token_by_device_flow(flow)
if "access_token" not in result:
    sys.exit(f"device-code token failed: {result.get('error')} {result.get('error_description')}")
claims = result.get("id_token_claims", {})
print("signed in as", claims.get("preferred_username"), "oid", claims.get("oid"))
print("refresh token length", len(result.get("refresh_token", "")))

accounts = app.get_accounts()
silent = app.acquire_token_silent(scopes, account=accounts[0], force_refresh=True)
if not silent or "access_token" not in silent:
    sys.exit(f"silent refresh failed: {silent}")
print("silent refresh (refresh-token grant) ok")

me = requests.get(graph + "/me/authentication/methods",
                  headers={"Authorization": "Bearer " + silent["access_token"]})
me.raise_for_status()
kinds = sorted({m["@odata.type"] for m in me.json()["value"]})
print("Graph /me/authentication/methods:", ", ".join(kinds))
print("MSAL for Python", msal.__version__, "works against the emulator unchanged")
