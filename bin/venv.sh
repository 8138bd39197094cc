# Sourced by bin/serve and bin/test: make .venv and install the project into it, once per
# change of pyproject.toml (a stamp file remembers what was installed).
ensure_venv() {
    local extras="$1"
    local python="${PYTHON:-python3}"
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv || {
            echo "Could not create a virtual environment; on Debian install python3-venv." >&2
            exit 1
        }
    fi
    local stamp=".venv/.installed${extras:+-$extras}"
    local want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    # The test install includes everything the plain one has.
    if [ -z "$extras" ] && [ "$(cat .venv/.installed-test 2>/dev/null)" = "$want" ]; then
        return
    fi
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "Installing Python packages into .venv ..."
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
        echo "$want" > "$stamp"
    fi
}
