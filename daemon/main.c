#include "hark/version.h"
#include <stdio.h>
int main(void) { puts("hark " HARK_VERSION); return 0; }
