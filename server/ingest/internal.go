package ingest

import (
	"errors"
	"log/slog"
	"syscall"

	"google.golang.org/grpc/codes"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
)

// The server's own failures (a full disk, a database that is away) are
// reported to devices as a reason code and a few words; their error text,
// which names files under data_dir and database details, is only logged:
// a device, or whoever holds its token, learns nothing about the server's
// layout from it.

// storageMsg is what a device is told about err.
func storageMsg(what string, err error) string {
	if errors.Is(err, syscall.ENOSPC) {
		return what + ": the server's disk is full; try again later"
	}
	return what + ": the server could not store or read it now; try again later"
}

// storageRefusal is a report refused for the server's own failure: code
// Unavailable, reason SERVER_STORAGE, err logged and not sent.
func storageRefusal(what string, err error) *refusal {
	return &refusal{code: codes.Unavailable, reason: reasonUnavailable, msg: storageMsg(what, err),
		rpcReason: rpcerr.ReasonServerStorage, detail: err}
}

// storageStatus is storageRefusal for the other calls: it logs err and
// returns the status to send.
func storageStatus(log *slog.Logger, code codes.Code, what string, err error) error {
	log.Error(what, "err", err)
	return rpcerr.New(code, rpcerr.ReasonServerStorage, storageMsg(what, err)).Err()
}
