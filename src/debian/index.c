#include "index.h"
