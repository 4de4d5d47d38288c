#!/usr/bin/env python3
"""Prints securetoken.json: Secure Token known answers computed by Akamai's
reference implementation, akamai/EdgeAuth-Token-Python (edgeauth.py, the
SDK NCP's Signed URL guide lists), not by vodflow.

Run: PYTHONPATH=/path/to/EdgeAuth-Token-Python/akamai/edgeauth \
     python3 gen_securetoken.py > securetoken.json
"""
import json
from edgeauth import EdgeAuth

KEY = "52a152a152a152a152a152a152a152a152a152a152a152a152a152a152a152a1"
CASES = [
    dict(name="acl, exp only (what vodflow signs)", key=KEY, end_time=1700000000,
         acl="/hls/ENC/enc/movies/clip_*"),
    dict(name="acl with st and ip", key=KEY, start_time=1699990000, end_time=1700000000,
         ip="203.0.113.7", acl="/hls/ENC/enc/movies/clip_*"),
    dict(name="NCP guide's example key b2b1, acl /*", key="b2b1", start_time=1699990000,
         end_time=1699993600, acl="/*"),
    dict(name="two ACLs joined by !", key=KEY, end_time=1700000000,
         acl=["/hls/ENC/a_*", "/dash/ENC/a_*"]),
    dict(name="id and data, escape_early", key=KEY, end_time=1700000000, acl="/x/*",
         session_id="viewer 42/abc", payload="k=v&w=x y", escape_early=True),
    dict(name="url token, escape_early", key=KEY, end_time=1700000000,
         url="/hls/ENC/enc/movies/clip one.mp4/index.m3u8", escape_early=True),
    dict(name="url token, no escaping", key=KEY, end_time=1700000000,
         url="/hls/ENC/enc/movies/clip.mp4/index.m3u8"),
    dict(name="sha1", key=KEY, end_time=1700000000, acl="/*", algorithm="sha1"),
    dict(name="md5 with salt", key=KEY, end_time=1700000000, acl="/*", algorithm="md5", salt="pepper"),
    dict(name="ip escaped early (IPv6)", key=KEY, end_time=1700000000, acl="/*",
         ip="2001:db8::1", escape_early=True),
]
out = []
for c in CASES:
    c = dict(c)
    name = c.pop("name")
    acl = c.pop("acl", None)
    u = c.pop("url", None)
    ea = EdgeAuth(**c)
    tok = ea.generate_acl_token(acl) if acl is not None else ea.generate_url_token(u)
    row = dict(name=name, acl=acl if isinstance(acl, list) else ([acl] if acl else None), url=u, token=tok)
    row.update(c)
    out.append(row)
print(json.dumps({"produced_by": "akamai/EdgeAuth-Token-Python edgeauth.py at commit cbf374da77ef368269f52e2c9cccf13ba8c0b81c run by gen_securetoken.py", "cases": out}, indent=1))
