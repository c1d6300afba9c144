package ui

// openNonBlock is 0 on Windows, which has no FIFOs in its file system.
const openNonBlock = 0
