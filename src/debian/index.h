/* The apt package index (deb822 Packages files under /var/lib/apt/lists). */
#pragma once
