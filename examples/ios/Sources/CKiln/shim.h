/* Exposes Kiln's embedding API to Swift. Point the header search path at
 * the repository's include/ directory. */
#include <kiln/kiln.h>
