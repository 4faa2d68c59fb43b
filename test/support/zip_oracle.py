"""Python's zipfile as the oracle for src/zip.ts.

Usage: python zip_oracle.py < REQUEST_JSON
  REQUEST_JSON  a JSON list of {"file": path, "read": [member names to read] | null (all, up to 1 MiB each)}
Prints a JSON list, one per request:
  {"error": "BadZipFile"}                      ZipFile() raised (the class name)
  {"names": [...], "members": {name: {"data": base64} | {"error": "BadZipFile: ..."}}}
"""
import base64
import json
import sys
import zipfile


def evaluate(req):
    try:
        zf = zipfile.ZipFile(req["file"])
    except Exception as e:  # the oracle's failure is data
        return {"error": type(e).__name__}
    with zf:
        names = [i.filename for i in zf.infolist()]
        wanted = req["read"] if req["read"] is not None else [i.filename for i in zf.infolist() if i.file_size <= 1 << 20]
        members = {}
        for name in wanted:
            try:
                members[name] = {"data": base64.b64encode(zf.read(name)).decode("ascii")}
            except Exception as e:
                members[name] = {"error": "%s: %s" % (type(e).__name__, e)}
        return {"names": names, "members": members}


def main():
    json.dump([evaluate(r) for r in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
