#!/bin/bash
# placeholder until written
. "$(dirname "$0")/test-lib.sh"
finish
