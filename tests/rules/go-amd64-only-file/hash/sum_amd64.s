#include "textflag.h"
TEXT ·sum(SB), NOSPLIT, $0
	RET
