"""Every /v2 answer of cconvd against Frankfurter's own contract, its OpenAPI document 2.1.1
(tests/data/frankfurter-v2-openapi.json), checked by an independent JSON Schema validator (Debian's
python3-jsonschema).  The requests are the document's: for each path cconvd implements (IMPLEMENTED), the
path's example parameters, then each query parameter alone with its example value, then each path
parameter as a code that does not exist.  Every answer's status must be one the operation documents,
and its body must validate against that response's schema; a 200 must come."""
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import run, several_sources  # noqa: E402

try:
    import jsonschema
except ImportError:
    jsonschema = None

DOCUMENT = os.path.join(os.path.dirname(__file__), "..", "data", "frankfurter-v2-openapi.json")

# The document's paths cconvd answers; each one added here is checked with every example the document gives.
IMPLEMENTED = [
    "/rates",
    "/rate/{base}/{quote}",
    "/currencies",
    "/currency/{code}",
    "/providers",
]


def load():
    with open(DOCUMENT, encoding="utf-8") as f:
        return json.load(f)


def deref(doc, node):
    """node with every {"$ref": "#/…"} replaced by what it names in doc (the document has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return deref(doc, target)
        return {k: deref(doc, v) for k, v in node.items()}
    if isinstance(node, list):
        return [deref(doc, v) for v in node]
    return node


def validator(schema):
    """OpenAPI 3.1's schemas are JSON Schema 2020-12; formats (date) are checked too."""
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def example(param):
    schema = param.get("schema", {})
    if "example" in schema:
        return str(schema["example"])
    return str(schema["enum"][0])


def requests_of(path, op):
    """(url path under /v2, query) pairs: the examples, each query parameter alone, each path parameter absent."""
    params = op.get("parameters", [])
    in_path = {p["name"]: example(p) for p in params if p["in"] == "path"}
    url = path.format(**{k: urllib.parse.quote(v) for k, v in in_path.items()})
    out = [(url, "")]
    for p in params:
        if p["in"] == "query":
            out.append((url, urllib.parse.urlencode({p["name"]: example(p)})))
    for name in in_path:
        out.append((path.format(**dict(in_path, **{name: "XYZ"})), ""))
    return out


def check(d, doc, path, op, url, query):
    """One request, its status and body against the operation's responses; returns the status."""
    full = "/v2" + url + ("?" + query if query else "")
    status, headers, body = d.get(full)
    responses = op["responses"]
    assert str(status) in responses, f"{full}: status {status}, not among {sorted(responses)}: {body}"
    content = responses[str(status)].get("content", {})
    assert headers["content-type"].split(";")[0] in content, (full, headers["content-type"], sorted(content))
    schema = content[headers["content-type"].split(";")[0]]["schema"]
    errors = sorted(validator(schema).iter_errors(json.loads(body)), key=str)
    assert not errors, f"{full}: {errors[0].message} at {list(errors[0].absolute_path)}\n{body[:2000]}"
    return status


def require_validator():
    assert jsonschema is not None, "python3-jsonschema is not installed: apt-get install python3-jsonschema"


def test_every_path(tmp):
    require_validator()
    doc = deref(load(), load())
    for path in IMPLEMENTED:
        assert path in doc["paths"], f"{path}: not a path of the document"
    with several_sources(tmp) as (d, _ecb, _v2):
        for path in IMPLEMENTED:
            op = doc["paths"][path]["get"]
            statuses = [check(d, doc, path, op, url, query) for url, query in requests_of(path, op)]
            assert 200 in statuses, (path, statuses)


def test_validator_catches_a_wrong_field(tmp):
    """The check can fail: the document's own examples pass, and an answer with one field wrong does not."""
    require_validator()
    doc = deref(load(), load())
    for path in IMPLEMENTED:
        for status, resp in doc["paths"][path]["get"]["responses"].items():
            for media in resp.get("content", {}).values():
                if "example" in media and not isinstance(media["example"], str):
                    validator(media["schema"]).validate(media["example"])
    with several_sources(tmp) as (d, _ecb, _v2):
        schema = doc["paths"]["/currencies"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        listed = json.loads(d.get("/v2/currencies")[2])
        validator(schema).validate(listed)
        for field, wrong in (("iso_numeric", 840), ("name", None), ("start_date", "4 May 2024"),
                             ("iso_code", ["USD"])):
            broken = [dict(c, **{field: wrong}) for c in listed]
            assert list(validator(schema).iter_errors(broken)), f"{field}={wrong!r} passed"
        without = [{k: v for k, v in c.items() if k != "name"} for c in listed]
        assert list(validator(schema).iter_errors(without)), "a currency without its name passed"


if __name__ == "__main__":
    run([test_every_path, test_validator_catches_a_wrong_field])
