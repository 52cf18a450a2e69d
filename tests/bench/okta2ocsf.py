#!/usr/bin/env python3
"""okta2ocsf.py [-T sekoia|ocsf] [-t TIME_MS]: the okta2ocsf mapping (SPEC.md,
"Targets" and "Mapping") in Python, standard library only, for the benchmark
(tests/bench/run).

Reads NDJSON devices (one object, or one array of objects, per line) on
stdin and writes one compact Device Inventory Info record per device on
stdout, the same records, keys in the same order, as
`okta2ocsf -T TARGET -t TIME_MS`.  TARGET defaults to sekoia; TIME_MS to
SOURCE_DATE_EPOCH * 1000, else now.  Rejected lines (not JSON, not an
object or array, no non-empty string id, invalid UTF-8 in a mapped string)
are reported on stderr; exit 1 then.  Values spread over several lines are
not read (okta2ocsf joins them; the benchmark's input is NDJSON).
"""
import json
import os
import re
import sys
import time

HEAD = {"activity_id": 2, "activity_name": "Collect", "category_name": "Discovery", "category_uid": 5,
        "class_name": "Device Inventory Info", "class_uid": 5001,
        "type_name": "Device Inventory Info: Collect", "type_uid": 500102,
        "severity": "Informational", "severity_id": 1}
METADATA = {"product": {"name": "Okta", "vendor_name": "Okta", "version": "N/A"}, "version": "1.6.0"}
OS = {"WINDOWS": ("Windows", 100), "MACOS": ("macOS", 300), "LINUX": ("Linux", 200),
      "IOS": ("iOS", 301), "ANDROID": ("Android", 201)}
DEVICE_TYPE = {"WINDOWS": ("Desktop", 2), "MACOS": ("Desktop", 2), "LINUX": ("Desktop", 2),
               "CHROMEOS": ("Desktop", 2), "IOS": ("Mobile", 5), "ANDROID": ("Mobile", 5)}
# What differs between the targets (SPEC.md, "Targets").
TARGETS = {"sekoia": {"unit_s": True, "lower": True, "hostname_always": True, "enc": "Storage_encryption",
                      "uid_alt": "serialNumber"},
           "ocsf": {"unit_s": False, "lower": False, "hostname_always": False, "enc": "DiskEncryption",
                    "uid_alt": "sid"}}
ENC = {"ALL_INTERNAL_VOLUMES": {"all_internal": "Enabled"}, "FULL": {"full": "Enabled"},
       "USER": {"user": "Enabled"}}
NO_ENC = {"none": "Disabled"}
ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d):(\d\d))\Z",
                 re.ASCII)
EMAIL = re.compile(r"[a-zA-Z0-9!#$%&'*+,\-./=?^_`{|}~]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9.-]+\Z")
MDAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def s(o, k):
    """o[k] when o is a dict and o[k] a non-empty string, else None."""
    v = o.get(k) if type(o) is dict else None
    return v if type(v) is str and v else None


def b(o, k):
    v = o.get(k) if type(o) is dict else None
    return v if type(v) is bool else None


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def ms(v):
    """RFC 3339 string to epoch milliseconds (digits past ms truncated), or None."""
    m = ISO.match(v) if v else None
    if m is None:
        return None
    y, mo, d, h, mi, sec = (int(x) for x in m.group(1, 2, 3, 4, 5, 6))
    oh, om = (int(m.group(9)), int(m.group(10))) if m.group(8) else (0, 0)
    leap = y % 4 == 0 and y % 100 != 0 or y % 400 == 0
    if not (1 <= mo <= 12 and 1 <= d <= MDAYS[mo - 1] + (mo == 2 and leap)
            and h <= 23 and mi <= 59 and sec <= 60 and oh <= 23 and om <= 59):
        return None
    t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec
    t -= (oh * 3600 + om * 60) * (-1 if m.group(8) == "-" else 1 if m.group(8) else 0)
    return t * 1000 + int(((m.group(7) or "") + "000")[:3])


def device(dev, now, tg):
    p = dev.get("profile")
    p = p if type(p) is dict else None
    emb = dev.get("_embedded")
    users = emb.get("users") if type(emb) is dict else None
    users = users if type(users) is list else None

    unit = (lambda t: t // 1000) if tg["unit_s"] else (lambda t: t)
    spell = (lambda t: t.lower()) if tg["lower"] else (lambda t: t)
    d = {"uid": dev["id"]}
    name = s(p, "displayName")
    host = name or (s(p, "serialNumber") or dev["id"] if tg["hostname_always"] else None)
    if host:
        d["hostname"] = host
    if name:
        d["name"] = name
    plat = s(p, "platform")
    known = plat is not None and plat.isascii()
    if plat is None:
        d["type"], d["type_id"] = "Unknown", 0
    else:
        d["type"], d["type_id"] = DEVICE_TYPE.get(plat.upper(), ("Other", 99)) if known else ("Other", 99)
    if plat is None:
        os_ = {"name": "Unknown", "type": spell("Unknown"), "type_id": 0}
    elif known and plat.upper() in OS:
        n, i = OS[plat.upper()]
        os_ = {"name": n, "type": spell(n), "type_id": i}
    else:
        os_ = {"name": plat, "type": spell("Other"), "type_id": 99}
    v = s(p, "osVersion")
    if v:
        os_["version"] = v
    d["os"] = os_
    for src, dst in (("manufacturer", "vendor_name"), ("model", "model")):
        v = s(p, src)
        if v:
            d[dst] = v
    for src, k1, k2 in (("created", "created_time", "first_seen_time"),
                        ("lastUpdated", "last_seen_time", "modified_time")):
        t = ms(s(dev, src))
        if t is not None:
            d[k1] = d[k2] = unit(t)
    st = s(dev, "status")
    active = st is None or (st.isascii() and st.upper() == "ACTIVE")
    deleted = st is not None and st.isascii() and st.upper() == "DELETED"  # a vanished device
    m = False if deleted else b(p, "managed")
    if m is None and users:
        m = any((s(u, "managementStatus") or "").upper() == "MANAGED" for u in users)  # ASCII-only word
    if m is not None:
        d["is_managed"] = m
    v = b(p, "registered")
    if v is not None or deleted:
        d["is_compliant"] = bool(v) and active
    v = b(p, "secureHardwarePresent")
    if v is not None:
        d["is_trusted"] = v
    serial, sid = s(p, "serialNumber"), s(p, "sid")
    if serial:
        d["hw_info"] = {"serial_number": serial}
    v = s(p, tg["uid_alt"])
    if v:
        d["uid_alt"] = v
    for k in ("udid", "meid"):
        v = s(p, k)
        if v:
            d[k] = v
    v = s(p, "imei")
    if v:
        d["imei_list"] = [v]
    u = users[0].get("user") if users and type(users[0]) is dict else None
    uid = s(u, "id")
    if uid:
        up = u.get("profile")
        up = up if type(up) is dict else None
        o = {"uid": uid}
        v = s(up, "login")
        if v:
            o["name"] = v
        v = s(up, "email")
        if v and EMAIL.match(v):
            o["email_addr"] = v
        full = " ".join(x for x in (s(up, "firstName"), s(up, "lastName")) if x)
        if full:
            o["full_name"] = full
        d["owner"] = o

    enc = s(p, "diskEncryptionType")
    part = (ENC.get(enc.upper(), NO_ENC) if enc.isascii() else NO_ENC) if enc else None
    ulist = []
    if serial:
        ulist.append("serial_number:" + serial)
    if sid:
        ulist.append("windows_sid:" + sid)
    v = b(p, "secureHardwarePresent")
    if v is not None:
        ulist.append("secure_hardware_present:" + ("true" if v else "false"))
    logins = []  # each embedded user's login once, in Okta's order; none unless ACTIVE
    for du in (users or []) if active else []:
        du = du.get("user") if type(du) is dict else None
        v = s(du.get("profile") if type(du) is dict else None, "login")
        if v and v not in logins:
            logins.append(v)
    ulist += logins
    rec = dict(HEAD)
    rec["time"] = unit(now)
    rec["metadata"] = METADATA
    rec["device"] = d
    rec["enrichments"] = [{"name": "device_info", "value": "hardware_and_security",
                           "data": ({tg["enc"]: {"partitions": part}} if part else {}) | {"Users": ulist}}]
    un, up = {}, {}
    v = s(dev, "status")
    if v:
        un["status"] = v
    v = b(p, "integrityJailbreak")
    if v is not None:
        up["integrityJailbreak"] = v
    v = s(p, "tpmPublicKeyHash")
    if v:
        up["tpmPublicKeyHash"] = v
    if up:
        un["profile"] = up
    if un:
        rec["unmapped"] = un
    return rec


def main(argv):
    now, tg, args = None, TARGETS["sekoia"], argv[1:]
    while len(args) >= 2 and args[0] in ("-t", "-T"):
        if args[0] == "-t" and args[1].isdigit():
            now = int(args[1])
        elif args[0] == "-T" and args[1] in TARGETS:
            tg = TARGETS[args[1]]
        else:
            break
        args = args[2:]
    if args:
        sys.stderr.write("usage: okta2ocsf.py [-T sekoia|ocsf] [-t TIME_MS]\n")
        return 64
    if now is None:
        sde = os.environ.get("SOURCE_DATE_EPOCH")
        now = int(sde) * 1000 if sde else time.time_ns() // 1000000
    out, rejected = sys.stdout.buffer, 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for lineno, raw in enumerate(sys.stdin.buffer, 1):
        line = raw.decode("utf-8", "surrogateescape")
        if not line.strip(" \t\r\n"):
            continue
        try:
            doc = json.loads(line)
        except ValueError as e:
            sys.stderr.write("okta2ocsf.py: stdin:%d: invalid JSON: %s\n" % (lineno, e))
            rejected += 1
            continue
        if type(doc) is not list and type(doc) is not dict:
            sys.stderr.write("okta2ocsf.py: stdin:%d: not a JSON object or array\n" % lineno)
            rejected += 1
            continue
        for dev in doc if type(doc) is list else (doc,):
            if type(dev) is not dict or not s(dev, "id"):
                sys.stderr.write("okta2ocsf.py: stdin:%d: not an object with a non-empty string id\n" % lineno)
                rejected += 1
                continue
            try:
                out.write(dumps(device(dev, now, tg)).encode("utf-8") + b"\n")
            except UnicodeEncodeError:
                sys.stderr.write("okta2ocsf.py: stdin:%d: invalid UTF-8 in a mapped string\n" % lineno)
                rejected += 1
    out.flush()
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
