package requests

import "syscall"

var errReset error = syscall.ECONNRESET
