package uplink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/internal/backoff"
	"github.com/xiuhua/xiuhua/internal/rpcerr"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// sendLoop delivers the outbox, oldest first (see Outbox.Next), until ctx
// is done.
func (c *Client) sendLoop(ctx context.Context, api xiuhuav1.EdgeServiceClient) {
	b := backoff.Backoff{Min: c.cfg.RetryMin, Max: c.cfg.RetryMax}
	warn := limiter{every: 10 * time.Second}
	rescan := time.NewTicker(c.cfg.RescanInterval)
	defer rescan.Stop()
	buf := make([]byte, c.cfg.ChunkSize)
	for ctx.Err() == nil {
		it, ok := c.outbox.Next()
		if !ok {
			select {
			case <-ctx.Done():
			case <-c.outbox.Notify():
			case <-rescan.C:
			}
			continue
		}
		if !c.deliver(ctx, api, it, buf, &b, &warn) {
			b.Sleep(ctx)
		}
	}
}

// deliver sends one item and acks or rejects it. It reports false when the
// caller should back off before the next attempt.
func (c *Client) deliver(ctx context.Context, api xiuhuav1.EdgeServiceClient, it outbox.Item, buf []byte,
	b *backoff.Backoff, warn *limiter,
) bool {
	start := time.Now()
	resp, err := c.send(ctx, api, it.ID, buf)
	if err == nil {
		if err := c.outbox.Ack(it.ID); err != nil {
			c.logger.Error("delivered but could not remove from the outbox; it will be sent again",
				"event_id", it.ID, "err", err)
			return false
		}
		b.Reset()
		c.logger.Info("delivered", "event_id", it.ID, "case_id", resp.GetCaseId(),
			"duplicate", resp.GetDuplicate(), "bytes", it.Bytes, "attempts", it.Attempts+1,
			"took", time.Since(start).Round(time.Millisecond))
		return true
	}
	if ctx.Err() != nil {
		return true // shutting down: the item stays queued, nothing failed
	}
	if errors.Is(err, outbox.ErrNotFound) {
		return true // gone meanwhile
	}
	if permanent(err) {
		reason := refusal(err)
		if rerr := c.outbox.Reject(it.ID, reason); rerr != nil {
			c.logger.Error("could not move a refused violation to dead/", "event_id", it.ID, "err", rerr)
			return false
		}
		b.Reset()
		// Outbox.Reject logs the reason at warn.
		return true
	}
	c.outbox.Failed(it.ID, err)
	if badCredentials(err) {
		// Loud, because nothing gets through until someone fixes the
		// token; the reports wait in the outbox meanwhile.
		if ok, n := warn.allow(); ok {
			c.logger.Error("the server refused this device's credentials: "+credentialsHint(err)+
				"; reports stay queued and are retried",
				"event_id", it.ID, "err", err, "attempt", it.Attempts+1, "suppressed", n)
		}
		return false
	}
	if ok, n := warn.allow(); ok {
		c.logger.Warn("delivery failed, will retry", "event_id", it.ID, "err", err,
			"attempt", it.Attempts+1, "suppressed", n)
	}
	return false
}

// send streams the report, then every evidence file in ChunkSize chunks, and
// returns the server's acknowledgement. The files are opened and checked
// before anything is sent, so a damaged item is set aside without a word to
// the server.
func (c *Client) send(ctx context.Context, api xiuhuav1.EdgeServiceClient, id string, buf []byte) (*xiuhuav1.ReportViolationResponse, error) {
	report, err := c.outbox.Load(id)
	if err != nil {
		return nil, err
	}
	files := make([]*os.File, 0, len(report.GetEvidence()))
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, ev := range report.GetEvidence() {
		f, err := c.outbox.OpenEvidence(id, ev.GetName())
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		fi, err := f.Stat()
		if err != nil {
			return nil, err
		}
		if fi.Size() != ev.GetSize() {
			return nil, fmt.Errorf("%w: %s is %d bytes, the report says %d", outbox.ErrCorrupt, ev.GetName(), fi.Size(), ev.GetSize())
		}
	}

	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	stream, err := api.ReportViolation(ctx)
	if err != nil {
		return nil, err
	}
	err = stream.Send(&xiuhuav1.ReportViolationRequest{Msg: &xiuhuav1.ReportViolationRequest_Report{Report: report}})
	for i, ev := range report.GetEvidence() {
		if err != nil {
			break
		}
		err = sendFile(stream, files[i], ev, buf)
	}
	// io.EOF: the server answered early, with an error or, for a report it
	// already has, with an acknowledgement; CloseAndRecv returns it. Any
	// other error ends the stream (the deferred cancel tells the server).
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return nil, err
	}
	if resp.GetEventId() != id {
		return nil, fmt.Errorf("server acknowledged event %q instead of %q", resp.GetEventId(), id)
	}
	return resp, nil
}

type reportStream interface {
	Send(*xiuhuav1.ReportViolationRequest) error
}

// sendFile sends f as chunks at increasing offsets.
func sendFile(stream reportStream, f io.Reader, ev *xiuhuav1.EvidenceFile, buf []byte) error {
	var off int64
	for off < ev.GetSize() {
		n, err := io.ReadFull(f, buf[:min(int64(len(buf)), ev.GetSize()-off)])
		if err != nil {
			return fmt.Errorf("read %s: %w", ev.GetName(), err)
		}
		// Send encodes the message before returning: buf can be reused.
		if err := stream.Send(&xiuhuav1.ReportViolationRequest{Msg: &xiuhuav1.ReportViolationRequest_Chunk{
			Chunk: &xiuhuav1.EvidenceChunk{Name: ev.GetName(), Offset: off, Data: buf[:n]},
		}}); err != nil {
			return err
		}
		off += int64(n)
	}
	return nil
}

// permanentCodes are the server's answers that sending again will not change.
// Unauthenticated is not among them: see permanent.
var permanentCodes = map[codes.Code]bool{
	codes.InvalidArgument:    true,
	codes.DataLoss:           true,
	codes.FailedPrecondition: true,
	codes.PermissionDenied:   true,
}

// permanent reports whether err means the item can never be delivered as it
// is. Everything else, other status codes and connection or local I/O errors
// included, is retried: an item is kept rather than lost.
func permanent(err error) bool {
	if errors.Is(err, outbox.ErrCorrupt) {
		return true
	}
	if st, ok := status.FromError(err); ok {
		// Unauthenticated means two things: a report whose signature does
		// not verify (the server says BAD_SIGNATURE; resending the same
		// bytes cannot help) or a device token that is missing, wrong or
		// revoked — fixed on the box or the server, after which the very
		// same report goes through, so it must stay queued.
		if st.Code() == codes.Unauthenticated {
			return rpcerr.Reason(err) == rpcerr.ReasonBadSignature
		}
		return permanentCodes[st.Code()]
	}
	return false
}

// badCredentials reports a refusal of the device's token rather than of
// the report.
func badCredentials(err error) bool {
	st, ok := status.FromError(err)
	return ok && st.Code() == codes.Unauthenticated && rpcerr.Reason(err) != rpcerr.ReasonBadSignature
}

// credentialsHint says what to fix on the box or the server for a refusal
// of the device's credentials: each reason has another remedy, and the token
// is only one of them.
func credentialsHint(err error) string {
	switch rpcerr.Reason(err) {
	case rpcerr.ReasonClientCertificate:
		return "its TLS client certificate (server.cert_file, server.key_file) must be issued by the server's " +
			"grpc.tls.client_ca with this device id as common name or DNS name"
	case rpcerr.ReasonDeviceKey:
		return "its signing key is not the one the server pinned for it; after replacing the box or its key, " +
			"run `server device rekey` on the server"
	}
	return "set server.token or server.token_file to the token from `server device add`"
}

// refusal is the reason written to dead/<id>/reason.txt.
func refusal(err error) string {
	if errors.Is(err, outbox.ErrCorrupt) {
		return "unreadable on the edge: " + err.Error()
	}
	st, _ := status.FromError(err)
	return fmt.Sprintf("server refused: %s: %s", st.Code(), st.Message())
}
