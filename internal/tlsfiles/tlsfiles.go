// Package tlsfiles checks the certificate, key and CA files that both
// binaries' configurations name, so that a missing file, a key that belongs
// to another certificate or an expired certificate is a configuration error
// at start (exit status 2, naming the field), not a failed handshake hours
// later on a roadside box.
package tlsfiles

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// CheckPair checks a certificate and its key, named by the fields
// prefix+"cert_file" and prefix+"key_file": both or neither, each readable
// PEM, the key the certificate's, the certificate valid at now.
func CheckPair(errs *conf.Errors, prefix, certFile, keyFile string, now time.Time) {
	certField, keyField := prefix+"cert_file", prefix+"key_file"
	switch {
	case certFile == "" && keyFile == "":
		return
	case certFile == "":
		errs.Add(certField, certFile, "a PEM certificate file, set together with "+keyField)
		return
	case keyFile == "":
		errs.Add(keyField, keyFile, "a PEM private key file, set together with "+certField)
		return
	}
	certPEM, certErr := os.ReadFile(certFile)
	if certErr != nil {
		errs.Add(certField, certFile, "a readable PEM certificate file ("+reason(certErr)+")")
	}
	keyPEM, keyErr := os.ReadFile(keyFile)
	if keyErr != nil {
		errs.Add(keyField, keyFile, "a readable PEM private key file ("+reason(keyErr)+")")
	}
	if certErr != nil || keyErr != nil {
		return
	}
	leaf, err := firstCert(certPEM)
	if err != nil {
		errs.Add(certField, certFile, "a PEM certificate file ("+err.Error()+")")
		return
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		if isMismatch(err) {
			errs.Add(keyField, keyFile, "the private key of "+certField+" "+fmt.Sprintf("%q", certFile)+
				" (this key belongs to another certificate)")
			return
		}
		errs.Add(keyField, keyFile, "a PEM private key file (PKCS#1, PKCS#8 or EC) ("+err.Error()+")")
		return
	}
	if now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		errs.Add(certField, certFile, fmt.Sprintf("a certificate valid now (it is valid from %s to %s)",
			leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339)))
	}
}

// CheckCA checks a PEM bundle of CA certificates named by field; empty is
// left to the caller (it usually means the system's roots).
func CheckCA(errs *conf.Errors, field, file string) {
	if file == "" {
		return
	}
	if _, err := LoadPool(file); err != nil {
		errs.Add(field, file, "a readable PEM file of CA certificates ("+err.Error()+")")
	}
}

// LoadPool reads a PEM bundle of CA certificates.
func LoadPool(file string) (*x509.CertPool, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, errors.New(reason(err))
	}
	if _, err := firstCert(b); err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, errors.New("no certificate could be parsed")
	}
	return pool, nil
}

// firstCert parses the first CERTIFICATE block of a PEM file.
func firstCert(b []byte) (*x509.Certificate, error) {
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return nil, errors.New("no PEM CERTIFICATE block")
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate does not parse: %w", err)
		}
		return c, nil
	}
}

// isMismatch tells crypto/tls's "private key does not match public key"
// (or "...type does not match") from a key that does not parse at all; the
// library has no typed error for it.
func isMismatch(err error) bool {
	return strings.Contains(err.Error(), "does not match")
}

// reason is an os error without the path, which the message already names.
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Leaf reads the first certificate of a PEM file.
func Leaf(file string) (*x509.Certificate, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, errors.New(reason(err))
	}
	return firstCert(b)
}

// NamesDevice is the rule that ties an edge box's client certificate to
// its device id, in one place for the edge's start check and the server's
// every call: the certificate's common name, or one of its DNS names, is
// the id exactly. Both, because some CAs put the name only in the SAN and
// some tools only in the CN.
func NamesDevice(c *x509.Certificate, deviceID string) bool {
	if deviceID == "" {
		return false
	}
	return c.Subject.CommonName == deviceID || slices.Contains(c.DNSNames, deviceID)
}
