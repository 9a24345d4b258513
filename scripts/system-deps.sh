#!/usr/bin/env bash
# Installs (as root) or names (otherwise) the Debian packages the kiosk needs.
#   scripts/system-deps.sh run    what the kiosk needs to start on a screen
#   scripts/system-deps.sh test   that plus what the test suite needs (CUPS, Xvfb, poppler)
set -euo pipefail
purpose=${1:-run}
python=${PYTHON:-python3}

run_packages=(
  # Qt's xcb platform plugin (without these: "could not load the Qt platform plugin xcb")
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-randr0 libxcb-xinerama0
  libxcb-shape0 libxcb-render-util0 libxcb-image0 libxkbcommon-x11-0
  libegl1 libgl1 libfontconfig1 libdbus-1-3
  fonts-dejavu-core
  # "Read to me": Qt's text-to-speech links libpulse; speech-dispatcher and espeak-ng speak
  libpulse0 speech-dispatcher espeak-ng
  # pycups is built from source against libcups
  libcups2-dev gcc
)
test_packages=(
  cups cups-client cups-bsd printer-driver-cups-pdf
  xvfb xdotool poppler-utils
)

packages=("${run_packages[@]}")
[ "$purpose" = test ] && packages+=("${test_packages[@]}")

# A Python without venv or headers cannot build the environment.
if ! "$python" -c "import ensurepip, venv" >/dev/null 2>&1; then packages+=(python3-venv); fi
if ! "$python" -c "import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" >/dev/null 2>&1; then
  packages+=(python3-dev)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "These Debian packages are needed. Please install them, then run make again:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
