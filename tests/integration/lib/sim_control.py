"""Long-lived client for pve-sim's /_sim/ control endpoints, run as a bash coprocess by
setup.sh so that a simulated year does not start one Python per control call.

Usage: sim_control.py CONNECTION_JSON
Reads one request per line on stdin: `METHOD PATH [JSON BODY]`; answers one line on stdout:
`STATUS BODY` (STATUS 0 when the request could not be made). Verifies the simulator's CA."""
import http.client
import json
import ssl
import sys
import urllib.parse

conn_info = json.load(open(sys.argv[1]))
url = urllib.parse.urlsplit(conn_info["url"])
ctx = ssl.create_default_context(cafile=conn_info["ca_file"])
headers = {conn_info["control_header"]: conn_info["control_secret"],
           "Content-Type": "application/json"}
conn = None
for line in sys.stdin:
    method, path, *rest = line.rstrip("\n").split(" ", 2)
    body = rest[0] if rest and rest[0] else None
    for attempt in (1, 2):  # a kept-alive connection the server closed is reopened once
        try:
            if conn is None:
                conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx, timeout=10)
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            answer = f"{resp.status} {resp.read().decode(errors='replace')}"
            if resp.will_close:
                conn.close()
                conn = None
            break
        except (OSError, http.client.HTTPException) as e:
            if conn is not None:
                conn.close()
            conn = None
            answer = f"0 {type(e).__name__}: {e}"
    print(answer.replace("\n", " "), flush=True)
