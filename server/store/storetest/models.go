package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

func modelVersion(name, version, sum string) *store.ModelVersion {
	return &store.ModelVersion{Name: name, Version: version, SHA256: sha(sum), Size: 1234, Family: "yolox",
		InputWidth: 416, InputHeight: 416, Classes: []string{"person", "umbrella"},
		Manifest: []byte("name: " + name + "\n"), UploadedBy: "admin"}
}

// testModelRegistry: versions are immutable by name and version; the same
// bytes again are accepted as already there.
func testModelRegistry(t *testing.T, s store.Store) {
	ctx := context.Background()
	created, err := s.PutModelVersion(ctx, modelVersion("yolox-nano", "1", "a"))
	require.NoError(t, err)
	require.True(t, created)
	created, err = s.PutModelVersion(ctx, modelVersion("yolox-nano", "1", "a"))
	require.NoError(t, err)
	require.False(t, created, "same bytes again: idempotent")
	_, err = s.PutModelVersion(ctx, modelVersion("yolox-nano", "1", "b"))
	require.ErrorIs(t, err, store.ErrVersionTaken)
	require.ErrorContains(t, err, sha("a"), "names the sha256 that holds the version")

	got, err := s.GetModelVersion(ctx, "yolox-nano", "1")
	require.NoError(t, err)
	require.Equal(t, sha("a"), got.SHA256)
	require.Equal(t, []string{"person", "umbrella"}, got.Classes)
	require.Equal(t, "name: yolox-nano\n", string(got.Manifest))
	require.Equal(t, 416, got.InputWidth)
	require.Equal(t, time.UTC, got.CreatedAt.Location())
	_, err = s.GetModelVersion(ctx, "yolox-nano", "2")
	require.ErrorIs(t, err, store.ErrNotFound)

	concurrent := make([]error, 8)
	var wg sync.WaitGroup
	for i := range concurrent {
		wg.Go(func() {
			_, concurrent[i] = s.PutModelVersion(ctx, modelVersion("race", "1", string(rune('a'+i%2))))
		})
	}
	wg.Wait()
	taken := 0
	for _, err := range concurrent {
		if err != nil {
			require.ErrorIs(t, err, store.ErrVersionTaken)
			taken++
		}
	}
	require.GreaterOrEqual(t, taken, 4, "one of the two byte strings wins the version")

	list, err := s.ListModelVersions(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
}

// testRollouts: a device gets the newest rollout of any group it is in;
// unknown groups and versions are ErrNotFound naming which.
func testRollouts(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, v := range []string{"1", "2"} {
		_, err := s.PutModelVersion(ctx, modelVersion("m", v, "m"+v))
		require.NoError(t, err)
	}
	require.NoError(t, s.PutDeviceGroup(ctx, &store.DeviceGroup{Name: "canary", Devices: []string{"edge-a"}}))
	require.NoError(t, s.PutDeviceGroup(ctx, &store.DeviceGroup{Name: "all", Devices: []string{"edge-b", "edge-a", "edge-b"}}))
	require.NoError(t, s.PutDeviceGroup(ctx, &store.DeviceGroup{Name: "empty"}))
	groups, err := s.ListDeviceGroups(ctx)
	require.NoError(t, err)
	require.Len(t, groups, 3)
	require.Equal(t, "all", groups[0].Name)
	require.Equal(t, []string{"edge-a", "edge-b"}, groups[0].Devices)
	require.Equal(t, []string{}, groups[2].Devices)

	_, err = s.DeviceAssignment(ctx, "edge-a")
	require.ErrorIs(t, err, store.ErrNotFound)

	err = s.CreateRollout(ctx, &store.Rollout{Group: "nope", Name: "m", Version: "1"})
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorContains(t, err, `device group "nope"`)
	err = s.CreateRollout(ctx, &store.Rollout{Group: "all", Name: "m", Version: "9"})
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorContains(t, err, "model m version 9")

	r1 := &store.Rollout{Group: "all", Name: "m", Version: "1", CreatedBy: "admin"}
	require.NoError(t, s.CreateRollout(ctx, r1))
	require.NotZero(t, r1.ID)
	require.Equal(t, sha("m1"), r1.SHA256)
	r2 := &store.Rollout{Group: "canary", Name: "m", Version: "2", CreatedBy: "admin"}
	require.NoError(t, s.CreateRollout(ctx, r2))

	a, err := s.DeviceAssignment(ctx, "edge-a")
	require.NoError(t, err)
	require.Equal(t, r2.ID, a.ID, "the canary's newer rollout wins")
	require.Equal(t, "2", a.Version)
	require.Equal(t, int64(1234), a.Size)
	b, err := s.DeviceAssignment(ctx, "edge-b")
	require.NoError(t, err)
	require.Equal(t, "1", b.Version)

	// Moving edge-b into the canary gives it the canary's rollout.
	require.NoError(t, s.PutDeviceGroup(ctx, &store.DeviceGroup{Name: "canary", Devices: []string{"edge-a", "edge-b"}}))
	b, err = s.DeviceAssignment(ctx, "edge-b")
	require.NoError(t, err)
	require.Equal(t, "2", b.Version)

	list, err := s.ListRollouts(ctx, 10)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, r2.ID, list[0].ID)
	require.Equal(t, "admin", list[0].CreatedBy)
}

func testDeviceModels(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.GetDeviceModel(ctx, "edge-a")
	require.ErrorIs(t, err, store.ErrNotFound)
	m := &store.DeviceModel{
		DeviceID: "edge-a", State: "MODEL_STATE_ROLLED_BACK",
		Running:      store.ModelRef{Name: "m", Version: "1", SHA256: sha("m1")},
		Target:       store.ModelRef{Name: "m", Version: "2", SHA256: sha("m2")},
		AssignmentID: "r-7", Reason: "run-time errors 40% above 5%", ChangedAt: t0,
		Cameras: []store.CameraModel{{CameraID: "cam-1", Model: store.ModelRef{Name: "m", Version: "1"}}},
		LastFailure: &store.ModelFailure{State: "MODEL_STATE_ROLLED_BACK", Reason: "run-time errors 40% above 5%",
			AssignmentID: "r-7", Target: store.ModelRef{Name: "m", Version: "2"}, At: t0},
	}
	require.NoError(t, s.PutDeviceModel(ctx, m))
	got, err := s.GetDeviceModel(ctx, "edge-a")
	require.NoError(t, err)
	require.Equal(t, m, got)

	m.State, m.Reason, m.ChangedAt, m.UpdatedAt = "MODEL_STATE_ACTIVE", "", time.Time{}, time.Time{}
	require.NoError(t, s.PutDeviceModel(ctx, m))
	require.NoError(t, s.PutDeviceModel(ctx, &store.DeviceModel{DeviceID: "edge-b", State: "MODEL_STATE_ACTIVE"}))
	list, err := s.ListDeviceModels(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "MODEL_STATE_ACTIVE", list[0].State)
	require.True(t, list[0].ChangedAt.IsZero())
	require.Equal(t, "run-time errors 40% above 5%", list[0].LastFailure.Reason)
	require.Nil(t, list[1].LastFailure)
	require.Empty(t, list[1].Cameras)
}

// testTrainingReports: reports of cases in the given statuses, paged by row
// id, with their evidence.
func testTrainingReports(t *testing.T, s store.Store) {
	ctx := context.Background()
	var ids []string
	for _, e := range []string{"t1", "t2", "t3"} {
		id, _, err := s.SaveReport(ctx, Report(e), pending)
		require.NoError(t, err)
		ids = append(ids, id)
	}
	require.NoError(t, s.Transition(ctx, store.Transition{CaseID: ids[0], From: "pending_review", To: "rejected",
		Version: 1, Actor: "rev", Role: "reviewer", Comment: "a parked car", At: t0}))
	require.NoError(t, s.Transition(ctx, store.Transition{CaseID: ids[2], From: "pending_review", To: "filed",
		Version: 1, Actor: "rev", Role: "reviewer", At: t0}))

	got, err := s.TrainingReports(ctx, []string{"rejected", "filed"}, 0, 1)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "t1", got[0].EventID)
	require.Equal(t, "rejected", got[0].CaseStatus)
	require.Len(t, got[0].Evidence, 2)
	require.Equal(t, store.KindSnapshot, got[0].Evidence[0].Kind)
	require.Equal(t, "umbrella", got[0].Detections[0].ClassName)
	require.Equal(t, 1920, got[0].FrameWidth)

	rest, err := s.TrainingReports(ctx, []string{"rejected", "filed"}, got[0].ID, 10)
	require.NoError(t, err)
	require.Len(t, rest, 1)
	require.Equal(t, "t3", rest[0].EventID)
	require.Equal(t, "filed", rest[0].CaseStatus)
	require.Equal(t, sha("snap-t3"), rest[0].Evidence[0].SHA256)

	none, err := s.TrainingReports(ctx, nil, 0, 10)
	require.NoError(t, err)
	require.Empty(t, none)
	if errors.Is(err, store.ErrNotFound) {
		t.Fatal("an empty export is not an error")
	}
}
