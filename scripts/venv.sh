# Sourced by ./start and ./test: makes sure .venv exists with this project installed (editable, with the
# test tools), reinstalling only when pyproject.toml changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.installed-pyproject"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  echo "Creating $venv ..." >&2
  "$python" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || ! cmp -s "$root/pyproject.toml" "$stamp"; then
  echo "Installing articlebot and its dependencies into .venv (first run takes a minute) ..." >&2
  log="$venv/install.log"
  # pip and setuptools are chatty even when all is well: their output is kept, and shown only on failure
  if ! { "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip &&
         "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root[dev]"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "Installing failed; the output above is also in $log" >&2
    exit 1
  fi
  cp "$root/pyproject.toml" "$stamp"
fi
