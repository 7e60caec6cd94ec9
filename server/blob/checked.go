package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"time"
)

// Checked wraps a Store so that Open hashes content before handing it out
// and returns ErrCorrupt, never the bytes, when the sha256 no longer
// matches (a flipped bit on disk, an object overwritten behind our back).
// A video player asks for a clip in many ranges; content that passed within
// the last CheckTTL is not hashed again.
type Checked struct {
	Store
	// OnCorrupt is told of each corrupt blob found; nil for none.
	OnCorrupt func(sha string)

	mu     sync.Mutex
	passed map[string]time.Time
}

// CheckTTL is how long a passed check is trusted.
const CheckTTL = 5 * time.Minute

// maxPassed bounds the memory of passed checks; past it the memory starts
// over, which costs only a re-hash.
const maxPassed = 4096

// NewChecked wraps s.
func NewChecked(s Store) *Checked { return &Checked{Store: s, passed: map[string]time.Time{}} }

// Unwrap returns the wrapped store, for optional interfaces (Presigner).
func (c *Checked) Unwrap() Store { return c.Store }

// Open implements Store.
func (c *Checked) Open(ctx context.Context, sha string) (Object, error) {
	o, err := c.Store.Open(ctx, sha)
	if err != nil {
		return nil, err
	}
	if c.recent(sha) {
		return o, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, o); err != nil {
		_ = o.Close()
		return nil, fmt.Errorf("blob: check %s: %w", sha, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		_ = o.Close()
		if c.OnCorrupt != nil {
			c.OnCorrupt(sha)
		}
		return nil, fmt.Errorf("%w: %s hashes to %s", ErrCorrupt, sha, got)
	}
	if _, err := o.Seek(0, io.SeekStart); err != nil {
		_ = o.Close()
		return nil, fmt.Errorf("blob: check %s: %w", sha, err)
	}
	c.remember(sha)
	return o, nil
}

func (c *Checked) recent(sha string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.passed[sha]
	return ok && time.Since(at) < CheckTTL
}

func (c *Checked) remember(sha string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.passed) >= maxPassed {
		c.passed = map[string]time.Time{}
	}
	c.passed[sha] = time.Now()
}

// PresignGet implements Presigner when the wrapped store does.
func (c *Checked) PresignGet(ctx context.Context, sha string, ttl time.Duration, contentType, disposition string) (string, error) {
	p, ok := c.Store.(Presigner)
	if !ok {
		return "", fmt.Errorf("blob: this store cannot presign URLs")
	}
	return p.PresignGet(ctx, sha, ttl, contentType, disposition)
}
