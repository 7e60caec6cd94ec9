package sim

import (
	"errors"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/liberrors"
)

// handler answers RTSP requests for a Server; gortsplib calls it from its
// connection goroutines.
type handler struct {
	s *Server
}

func (h *handler) OnConnOpen(ctx *gortsplib.ServerHandlerOnConnOpenCtx) {
	h.s.Logger.Debug("client connected", "remote", ctx.Conn.NetConn().RemoteAddr().String())
}

func (h *handler) OnConnClose(ctx *gortsplib.ServerHandlerOnConnCloseCtx) {
	h.s.Logger.Debug("client disconnected", "remote", ctx.Conn.NetConn().RemoteAddr().String(), "reason", ctx.Error)
}

func (h *handler) OnDescribe(ctx *gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if res, err := h.auth(ctx.Conn, ctx.Request); err != nil {
		return res, nil, err
	}
	return h.find(ctx.Path)
}

func (h *handler) OnSetup(ctx *gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if res, err := h.auth(ctx.Conn, ctx.Request); err != nil {
		return res, nil, err
	}
	return h.find(ctx.Path)
}

func (h *handler) OnPlay(ctx *gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	h.s.Logger.Info("client playing", "path", ctx.Path, "remote", ctx.Conn.NetConn().RemoteAddr().String())
	if fs, err := h.s.lookup(ctx.Path); err == nil {
		fs.addPlayer(ctx.Session, ctx.Conn)
		h.s.speakers.listen(fs.name, ctx.Session)
	}
	return &base.Response{StatusCode: base.StatusOK}, nil
}

func (h *handler) OnSessionClose(ctx *gortsplib.ServerHandlerOnSessionCloseCtx) {
	if fs, err := h.s.lookup(ctx.Session.SetuppedPath()); err == nil {
		fs.removePlayer(ctx.Session)
	}
	h.s.speakers.finish(ctx.Session)
}

// auth checks credentials when the server has a user. Credentials are
// checked at DESCRIBE and at SETUP because a client may skip DESCRIBE.
func (h *handler) auth(conn *gortsplib.ServerConn, req *base.Request) (*base.Response, error) {
	if h.s.User == "" || conn.VerifyCredentials(req, h.s.User, h.s.Pass) {
		return nil, nil
	}
	// ErrServerAuth makes gortsplib send the authentication challenge the
	// first time and close the connection after wrong credentials.
	return &base.Response{StatusCode: base.StatusUnauthorized}, liberrors.ErrServerAuth{}
}

func (h *handler) find(path string) (*base.Response, *gortsplib.ServerStream, error) {
	fs, err := h.s.lookup(path)
	if errors.Is(err, errNotFound) {
		return &base.Response{StatusCode: base.StatusNotFound}, nil, err
	}
	return &base.Response{StatusCode: base.StatusOK}, fs.stream, nil
}
