# okta2ocsf.jq: the okta2ocsf mapping (SPEC.md, "Mapping") written in jq,
# for the benchmark (tests/bench/run) to compare against the C program.
#
#   jq -c --argjson time 1700000000000 --arg target sekoia \
#       -f tests/bench/okta2ocsf.jq devices.ndjson
#
# Input: a stream of device objects, or arrays of them (saved API pages).
# Output: one Device Inventory Info record per device, the same records,
# keys in the same order, as `okta2ocsf -T $target -t $time` ($target is
# sekoia or ocsf; SPEC.md, "Targets").  A device that
# is not an object or has no non-empty string id is skipped (okta2ocsf
# rejects it on stderr and exits 1).
#
# Limits (the benchmark's generated data stays inside them):
# - timestamps: only "YYYY-MM-DDTHH:MM:SS[.fff...]Z" (upper-case T; Z or z):
#   what Okta sends.  An offset (+02:00), a lower-case t or a space separator
#   is taken as unparsable and leaves the field out, where okta2ocsf converts
#   it.  jq's strptime is laxer than RFC 3339 (one-digit fields, leading
#   spaces) and its mktime normalises impossible dates (2019-02-30 becomes
#   March 2) where okta2ocsf leaves the field out; jq 1.6's mktime also
#   refuses the one second 1969-12-31T23:59:59 (it returns -1).
# - strings with invalid UTF-8 are repaired by jq (U+FFFD), where okta2ocsf
#   rejects the device.

# Accessors: each returns exactly one value, null when the source is
# absent, null, empty or of the wrong type.
def str: if type == "string" and length > 0 then . else null end;
def bool: if type == "boolean" then . else null end;
def obj: if type == "object" then . else null end;
def arr: if type == "array" then . else null end;
def get($k): if type == "object" then .[$k] else null end;
def compact: with_entries(select(.value != null));

# Okta's ISO 8601 string to integer milliseconds (digits past ms truncated).
def ms:
  str
  | if . == null then null
    else .[19:] as $t
    | (if $t == "Z" or $t == "z" then ""
       elif ($t | startswith(".")) and ($t[-1:] == "Z" or $t[-1:] == "z")
            and ($t[1:-1] | length > 0 and (explode | all(. >= 48 and . <= 57)))
       then $t[1:-1]
       else null end) as $frac
    | if $frac == null then null
      else (.[0:19] + "Z" | try (fromdateiso8601 * 1000) catch null) as $s
      | if $s == null then null else $s + (($frac + "000")[0:3] | tonumber) end
      end
    end;

# OCSF email_t.
def email_ok: test("\\A[a-zA-Z0-9!#$%&'*+,\\-./=?^_`{|}~]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9.-]+\\z");

# What differs between the targets.
def sekoia: $target == "sekoia";
def unit: if sekoia and . != null then (. / 1000 | floor) else . end;
def spell: if sekoia then ascii_downcase else . end;

def os_of($p):
  ($p | get("platform") | str) as $v
  | (if $v == null then {name: "Unknown", type: ("Unknown" | spell), type_id: 0}
     else {WINDOWS: ["Windows", 100], MACOS: ["macOS", 300], LINUX: ["Linux", 200],
           IOS: ["iOS", 301], ANDROID: ["Android", 201]}[$v | ascii_upcase] as $k
     | if $k then {name: $k[0], type: ($k[0] | spell), type_id: $k[1]}
       else {name: $v, type: ("Other" | spell), type_id: 99} end
     end)
  + ({version: ($p | get("osVersion") | str)} | compact);

# is_managed: profile.managed, else whether any embedded user is MANAGED.
def managed($p; $users; $deleted):
  ($p | get("managed") | bool) as $m
  | if $deleted then {is_managed: false}
    elif $m != null then {is_managed: $m}
    elif ($users | length) > 0 then
      {is_managed: any($users[]; get("managementStatus") | str | . != null and ascii_upcase == "MANAGED")}
    else {} end;

# device.owner from the first embedded user, which must have an id.
def owner($users):
  ($users | if . == null then null else .[0] end | get("user") | obj) as $u
  | ($u | get("id") | str) as $id
  | ($u | get("profile") | obj) as $up
  | if $id == null then {}
    else {owner: ({uid: $id,
                   name: ($up | get("login") | str),
                   email_addr: ($up | get("email") | str | if . != null and email_ok then . else null end)}
                  + ([$up | get("firstName", "lastName") | str | values]
                     | if length > 0 then {full_name: join(" ")} else {} end)
                  | compact)}
    end;

def device_type($p):
  ($p | get("platform") | str) as $v
  | if $v == null then ["Unknown", 0]
    else {WINDOWS: ["Desktop", 2], MACOS: ["Desktop", 2], LINUX: ["Desktop", 2], CHROMEOS: ["Desktop", 2],
          IOS: ["Mobile", 5], ANDROID: ["Mobile", 5]}[$v | ascii_upcase] // ["Other", 99] end;

def device($p; $users):
  (.created | ms | unit) as $created
  | (.lastUpdated | ms | unit) as $updated
  | ($p | get("displayName") | str) as $name
  | ($p | get("serialNumber") | str) as $serial
  | ($p | get("imei") | str) as $imei
  | (.status | str) as $status
  | ($status != null and ($status | ascii_upcase) == "DELETED") as $deleted
  | device_type($p) as $type
  | {uid: .id,
     hostname: (if $name != null or (sekoia | not) then $name else $serial // .id end),
     name: $name, type: $type[0], type_id: $type[1],
     os: os_of($p),
     vendor_name: ($p | get("manufacturer") | str),
     model: ($p | get("model") | str),
     created_time: $created, first_seen_time: $created,
     last_seen_time: $updated, modified_time: $updated}
  + managed($p; $users; $deleted)
  + {is_compliant: ($p | get("registered") | bool
                    | if $deleted then false
                      elif . != null and $status != null and ($status | ascii_upcase) != "ACTIVE"
                      then false else . end),
     is_trusted: ($p | get("secureHardwarePresent") | bool),
     hw_info: (if $serial == null then null else {serial_number: $serial} end),
     uid_alt: ($p | get(if sekoia then "serialNumber" else "sid" end) | str),
     udid: ($p | get("udid") | str),
     meid: ($p | get("meid") | str),
     imei_list: (if $imei == null then null else [$imei] end)}
  + owner($users)
  | compact;

# The logins of the embedded users, each once, in Okta's order; none
# for a device whose status is not ACTIVE.
def logins($users):
  (.status | str) as $st
  | if $st != null and ($st | ascii_upcase) != "ACTIVE" then []
    else reduce (($users // [])[] | get("user") | get("profile") | get("login") | str | values) as $l
           ([]; if index([$l]) then . else . + [$l] end) end;

def enrichments($p; $users):
  ($p | get("diskEncryptionType") | str) as $enc
  | [{name: "device_info", value: "hardware_and_security",
      data: ((if $enc == null then {}
             else {(if sekoia then "Storage_encryption" else "DiskEncryption" end): {partitions:
               ({ALL_INTERNAL_VOLUMES: {all_internal: "Enabled"}, FULL: {full: "Enabled"},
                 USER: {user: "Enabled"}}[$enc | ascii_upcase] // {none: "Disabled"})}} end)
            + {Users: ([($p | get("serialNumber") | str | values | "serial_number:" + .),
                     ($p | get("sid") | str | values | "windows_sid:" + .),
                     ($p | get("secureHardwarePresent") | bool | values
                      | "secure_hardware_present:\(.)")] + logins($users))})}];

# unmapped: the Okta fields OCSF has no place for; left out when empty.
def unmapped($p):
  ({status: (.status | str)}
   + ({integrityJailbreak: ($p | get("integrityJailbreak") | bool),
       tpmPublicKeyHash: ($p | get("tpmPublicKeyHash") | str)}
      | compact | if . == {} then {} else {profile: .} end)
   | compact)
  | if . == {} then {} else {unmapped: .} end;

if type == "array" then .[] else . end
| select(type == "object" and (.id | str) != null)
| (.profile | obj) as $p
| (._embedded | get("users") | arr) as $users
| {activity_id: 2, activity_name: "Collect", category_name: "Discovery", category_uid: 5,
   class_name: "Device Inventory Info", class_uid: 5001,
   type_name: "Device Inventory Info: Collect", type_uid: 500102,
   severity: "Informational", severity_id: 1, time: ($time | unit),
   metadata: {product: {name: "Okta", vendor_name: "Okta", version: "N/A"}, version: "1.6.0"},
   device: device($p; $users),
   enrichments: enrichments($p; $users)}
  + unmapped($p)
