#!/usr/bin/env bash
# validate-sbom.sh - check SBOM files with the official validators; exit 1 if any is invalid.
#
#   CycloneDX JSON: cyclonedx-python-lib's JsonStrictValidator (the CycloneDX JSON schema of
#                   the file's specVersion, with additionalProperties forbidden), then its object
#                   model's own checks (every dependency ref names a bom-ref).
#   SPDX JSON:      spdx-tools' parser and validator for the file's spdxVersion (2.2 or 2.3;
#                   what `pyspdxtools -i FILE` runs, here in one process for all files), then a
#                   round trip through spdx-tools that fails on any field it silently dropped,
#                   which catches misspelt or misplaced fields the parser ignores.
#
# Usage: validate-sbom.sh FILE...     (SPDX files must end in .json: spdx-tools picks the parser
#                                      from the extension; the format is told from the content)
#        validate-sbom.sh --install   (only set up the tools, e.g. in CI before the tests)
# The tools live in a venv, $RAMPART_SBOM_VENV (default: .ci/.tools/sbom-venv next to this
# script), made and pip-installed with pinned versions on first use, under a lock.
# Exit status: 0 all valid, 1 some file invalid, 2 usage or setup error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
VENV=${RAMPART_SBOM_VENV:-$here/.tools/sbom-venv}
PINS=("cyclonedx-python-lib[json-validation]==11.12.0" "spdx-tools==0.8.5")

install() {
  mkdir -p "$(dirname "$VENV")"
  exec 9>"$VENV.lock"
  flock 9
  if [ "$(cat "$VENV/.rampart-pins" 2>/dev/null)" != "${PINS[*]}" ]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}" >&2
    printf '%s' "${PINS[*]}" >"$VENV/.rampart-pins"
  fi
  flock -u 9
}

if [ $# -eq 0 ]; then
  echo "usage: $0 FILE... | --install" >&2
  exit 2
fi
install || { echo "validate-sbom: could not install ${PINS[*]} into $VENV" >&2; exit 2; }
[ "$1" = "--install" ] && exit 0

exec "$VENV/bin/python" - "$@" <<'PY'
import json
import sys
from functools import lru_cache

from cyclonedx.model.bom import Bom
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.parser.error import SPDXParsingError
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

files = sys.argv[1:]


@lru_cache(maxsize=None)
def schema_validator(version):
    return JsonStrictValidator(version)


def paths(value, prefix=""):
    """Every field path in a JSON value, list positions collapsed: packages[].SPDXID."""
    out = set()
    if isinstance(value, dict):
        for key, item in value.items():
            out.add(prefix + key)
            out |= paths(item, prefix + key + ".")
    elif isinstance(value, list):
        for item in value:
            out |= paths(item, prefix.rstrip(".") + "[].")
    return out


def cyclonedx(path, text, data):
    try:
        version = SchemaVersion.from_version(str(data.get("specVersion")))
    except ValueError:
        return [f"unsupported CycloneDX specVersion {data.get('specVersion')!r}"]
    errors = schema_validator(version).validate_str(text, all_errors=True)
    problems = []
    for error in errors or []:
        where = getattr(error.data, "json_path", "$")
        problems.append(f"{where}: {getattr(error.data, 'message', error)}")
    if problems:
        return problems
    try:
        Bom.from_json(data).validate()
    except Exception as error:  # the model raises a different class per broken rule
        problems.append(f"object model: {type(error).__name__}: {error}")
    return problems


def spdx(path, data):
    version = data.get("spdxVersion")
    if version not in ("SPDX-2.2", "SPDX-2.3"):
        return [f"unsupported spdxVersion {version!r}"]
    try:
        document = parse_file(path)
    except SPDXParsingError as error:
        return error.get_messages()
    messages = validate_full_spdx_document(document, version)
    if messages:
        return [message.validation_message for message in messages]
    written = DocumentConverter().convert(document)
    dropped = sorted(paths(data) - paths(written))
    return [f"{field}: not understood by spdx-tools (dropped on a round trip)" for field in dropped]


invalid = 0
for path in files:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        data = json.loads(text)
    except (OSError, ValueError) as error:
        problems, kind = [str(error)], "?"
    else:
        if isinstance(data, dict) and data.get("bomFormat") == "CycloneDX":
            kind, problems = "CycloneDX " + str(data.get("specVersion")), cyclonedx(path, text, data)
        elif isinstance(data, dict) and "spdxVersion" in data:
            kind, problems = str(data["spdxVersion"]), spdx(path, data)
        else:
            kind, problems = "?", ["neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON"]
    if problems:
        invalid += 1
        print(f"{path}: INVALID {kind}", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    else:
        print(f"{path}: valid {kind}")
sys.exit(1 if invalid else 0)
PY
