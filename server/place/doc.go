// Package place puts a case's position into words an officer can act on:
// the answer of a configured reverse-geocoding service (Hook), or else the
// nearest named street or POI of a configured GeoJSON file (Streets), as
// "南京东路附近 约 35 米". Both are optional; the case server computes the
// address once, when a case is opened, and stores it with the case.
package place
