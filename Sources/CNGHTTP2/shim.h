// System library module for Debian's libnghttp2-dev (1.52.0-1+deb12u3).
//
// Swift imports everything LandlordHTTP2 needs straight from nghttp2.h: the
// functions are plain C, the frame and data-source unions import as structs, and
// the callbacks are non-capturing closures. So there are no `static inline`
// helpers here; add one only for something Swift cannot call (a macro with
// arguments, a variadic function), with a comment saying why.
//
// Version note: this header has no `*2` API (`nghttp2_session_mem_recv2`,
// `nghttp2_submit_response2`, `nghttp2_data_provider2`); those arrived in 1.60.
// Debian's deb12u3 backports `nghttp2_option_set_stream_reset_rate_limit`
// (CVE-2023-44487) and `nghttp2_option_set_max_continuations` (CVE-2024-27316);
// LandlordHTTP2 calls both, so building against an unpatched 1.52 fails to link.
#ifndef LANDLORD_CNGHTTP2_SHIM_H
#define LANDLORD_CNGHTTP2_SHIM_H

#include <nghttp2/nghttp2.h>

#endif
