#!/bin/sh
# Reproduces the embedded fonts from the distribution's package and checks they match.
set -eu
cd "$(dirname "$0")"
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    apt-get install -y fonts-dejavu-core
fi
for f in DejaVuSans.ttf DejaVuSans-Bold.ttf; do
    cp "/usr/share/fonts/truetype/dejavu/$f" "$f"
done
sha256sum -c <<SUMS
abdc775b21b1bc470d50c97e790d276f2054b7504e56e5bd3e64f48d68582322  DejaVuSans.ttf
0d977336a6d5fba34eab8e3199eb218327161b5143749f802982c2bc34df0c96  DejaVuSans-Bold.ttf
SUMS
