// protobuf-c (Debian libprotobuf-c-dev), the runtime of the protoc-c generated code in
// CLandlordProto and CLandlordTestingProto. Only LandlordProtobuf (and the test codec in
// LandlordTestingProto) import this module.
#ifndef CPROTOBUFC_SHIM_H
#define CPROTOBUFC_SHIM_H

#include <protobuf-c/protobuf-c.h>

#endif
