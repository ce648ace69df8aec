#!/bin/bash
. "$(dirname "$0")/test-lib.sh"
finish
