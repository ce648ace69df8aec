/* Debian version numbers (deb-version(7)): parsing and comparison. */
#pragma once
