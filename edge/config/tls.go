package config

import (
	"strconv"
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/internal/tlsfiles"
)

// TLS to the server (fields of Server):
//   - ServerName overrides the name checked in the server's certificate
//     (empty: the host of server.address), for a server reached by an
//     address its certificate does not name;
//   - CertFile and KeyFile are this box's client certificate, for a server
//     with grpc.tls.client_ca (mutual TLS). Its common name or one of its
//     DNS names must be device.id: the server refuses any other.
//
// validateTLS reads the files now, so that a missing file, a key of
// another certificate or a certificate for another box stops the edge at
// start, naming the field, instead of failing every delivery later.
func (c *Config) validateTLS(errs *conf.Errors) {
	s := c.Server
	if s.Insecure {
		for _, f := range []struct{ name, v string }{
			{"server.server_name", s.ServerName}, {"server.cert_file", s.CertFile}, {"server.key_file", s.KeyFile},
		} {
			if f.v != "" {
				errs.Add(f.name, f.v, "empty when server.insecure is true")
			}
		}
		return
	}
	tlsfiles.CheckCA(errs, "server.ca_file", s.CAFile)
	before := len(*errs)
	tlsfiles.CheckPair(errs, "server.", s.CertFile, s.KeyFile, time.Now())
	if s.CertFile == "" || len(*errs) > before {
		return
	}
	leaf, err := tlsfiles.Leaf(s.CertFile)
	if err != nil { // CheckPair read it a moment ago; a race with an edit
		errs.Add("server.cert_file", s.CertFile, "a readable PEM certificate file ("+err.Error()+")")
		return
	}
	if !tlsfiles.NamesDevice(leaf, c.Device.ID) {
		errs.Add("server.cert_file", s.CertFile, "a certificate whose common name or a DNS name is device.id "+
			strconv.Quote(c.Device.ID)+" (it names CN "+strconv.Quote(leaf.Subject.CommonName)+")")
	}
}
