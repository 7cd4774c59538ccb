#!/bin/sh
# Installs the Debian packages seqtrans builds against, when they are missing.
set -e
missing=""
[ -f /usr/include/utf8proc.h ] || missing="$missing libutf8proc-dev"
ls /usr/include/*/openblas-pthread/cblas.h >/dev/null 2>&1 || missing="$missing libopenblas-dev"
[ -z "$missing" ] && exit 0
echo "setup: installing$missing" >&2
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
