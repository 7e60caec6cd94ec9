package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decoders for attachment checks
	_ "image/png"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"
)

// attachmentTypes are the pictures a transition may carry, by the type
// their bytes show (not the type the client claims).
var attachmentTypes = map[string]bool{"image/jpeg": true, "image/png": true}

type attachmentTooBig struct{ limit int64 }

func (e *attachmentTooBig) Error() string {
	return fmt.Sprintf("attachment: larger than %d bytes", e.limit)
}

// pendingAttachment is a checked picture not yet stored: it goes to the
// blob store only once the step's role and case checks have passed.
type pendingAttachment struct {
	ct   string
	data []byte
}

// readMultipart reads the parts "request" (the JSON of a transition) and
// "attachment" (one JPEG or PNG picture), in any order, and checks the
// picture; it stores nothing.
func (s *server) readMultipart(w http.ResponseWriter, r *http.Request, req *TransitionRequestJSON) (*pendingAttachment, error) {
	limit := s.opts.MaxAttachmentBytes
	// The whole body: the picture, the JSON, and room for part headers.
	// Wrapped before the multipart reader is made, which keeps the body
	// it is given.
	r.Body = http.MaxBytesReader(w, r.Body, limit+maxJSONBody+16<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("body: malformed multipart: %v", err)
	}
	var (
		att     *pendingAttachment
		sawJSON bool
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, &attachmentTooBig{limit}
			}
			return nil, fmt.Errorf("body: malformed multipart: %v", err)
		}
		switch part.FormName() {
		case "request":
			if sawJSON {
				return nil, errors.New("request: given twice")
			}
			sawJSON = true
			dec := json.NewDecoder(io.LimitReader(part, maxJSONBody))
			dec.DisallowUnknownFields()
			if err := dec.Decode(req); err != nil {
				return nil, fmt.Errorf("request: malformed JSON: %v", err)
			}
			if _, err := dec.Token(); !errors.Is(err, io.EOF) {
				return nil, errors.New("request: one JSON object expected, found more after it")
			}
		case "attachment":
			if att != nil {
				return nil, errors.New("attachment: at most one")
			}
			if att, err = readAttachment(part, limit); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("part %q: unknown: allowed: request, attachment", part.FormName())
		}
	}
	if !sawJSON {
		return nil, errors.New("request: missing: the transition's JSON goes in the part named request")
	}
	return att, nil
}

func readAttachment(part *multipart.Part, limit int64) (*pendingAttachment, error) {
	br := bufio.NewReaderSize(io.LimitReader(part, limit+1), 512)
	head, _ := br.Peek(512)
	ct := http.DetectContentType(head)
	if !attachmentTypes[ct] {
		return nil, fmt.Errorf("attachment: type %s: allowed: image/jpeg, image/png", ct)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, br)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &attachmentTooBig{limit}
		}
		return nil, fmt.Errorf("attachment: %v", err)
	}
	if n > limit {
		return nil, &attachmentTooBig{limit}
	}
	// A real picture, not a script with a JPEG's first bytes.
	if _, _, err := image.DecodeConfig(bytes.NewReader(buf.Bytes())); err != nil {
		return nil, fmt.Errorf("attachment: not a readable %s picture: %v", ct, err)
	}
	return &pendingAttachment{ct: ct, data: buf.Bytes()}, nil
}

// storeAttachment puts a checked picture in the blob store.
func (s *server) storeAttachment(ctx context.Context, a *pendingAttachment) (*store.Evidence, error) {
	ref, err := blob.Put(ctx, s.opts.Blobs, bytes.NewReader(a.data))
	if err != nil {
		return nil, fmt.Errorf("attachment: store: %w", err)
	}
	return &store.Evidence{Kind: store.KindAttachment, ContentType: a.ct, Size: ref.Size, SHA256: ref.SHA256}, nil
}
