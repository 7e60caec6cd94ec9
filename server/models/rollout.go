package models

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/xiuhua/xiuhua/server/store"
)

// ErrInvalid marks a group or rollout request that is malformed (400).
var ErrInvalid = errors.New("invalid")

// MaxGroupDevices bounds one group's members.
const MaxGroupDevices = 10000

// PutGroup creates a device group or replaces its members. A group of one
// device is a canary.
func (r *Registry) PutGroup(ctx context.Context, name string, devices []string) (*store.DeviceGroup, error) {
	if !partRE.MatchString(name) {
		return nil, fmt.Errorf("group name %q: allowed: 1 to 128 of A-Z a-z 0-9 . _ - (not starting with . _ -): %w", name, ErrInvalid)
	}
	if len(devices) > MaxGroupDevices {
		return nil, fmt.Errorf("group %s: %d devices, more than %d: %w", name, len(devices), MaxGroupDevices, ErrInvalid)
	}
	clean := make([]string, 0, len(devices))
	for _, d := range devices {
		d = strings.TrimSpace(d)
		if d == "" || len(d) > 128 || strings.ContainsAny(d, "\x00\r\n\t ") {
			return nil, fmt.Errorf("group %s: device id %q: allowed: 1 to 128 characters without spaces: %w", name, d, ErrInvalid)
		}
		clean = append(clean, d)
	}
	slices.Sort(clean)
	g := &store.DeviceGroup{Name: name, Devices: slices.Compact(clean)}
	if err := r.opts.Store.PutDeviceGroup(ctx, g); err != nil {
		return nil, err
	}
	r.kick(g.Devices)
	return g, nil
}

// Rollout assigns version of model name to group; its devices get it at
// their next poll (now, on this replica). An unknown group or version is
// store.ErrNotFound, wrapped with which.
func (r *Registry) Rollout(ctx context.Context, group, name, version, by string) (*store.Rollout, error) {
	if group == "" || name == "" || version == "" {
		return nil, fmt.Errorf("group, name and version are required: %w", ErrInvalid)
	}
	ro := &store.Rollout{Group: group, Name: name, Version: version, CreatedBy: by}
	if err := r.opts.Store.CreateRollout(ctx, ro); err != nil {
		return nil, err
	}
	r.opts.Metrics.rollouts.Inc()
	r.log.Info("rollout", "id", ro.ID, "group", group, "model", name, "version", version, "sha256", ro.SHA256, "by", by)
	groups, err := r.opts.Store.ListDeviceGroups(ctx)
	if err == nil {
		for _, g := range groups {
			if g.Name == group {
				r.kick(g.Devices)
			}
		}
	}
	return ro, nil
}

func (r *Registry) kick(devices []string) {
	if r.opts.Kick == nil {
		return
	}
	for _, d := range devices {
		r.opts.Kick(d)
	}
}

// DeviceState is a device's wanted and reported model.
type DeviceState struct {
	DeviceID string
	// Assignment is the newest rollout naming the device; nil when none.
	Assignment *store.Rollout
	// Status is what the device last reported; nil before it has.
	Status *store.DeviceModel
}

// InSync reports whether the device runs what it is assigned.
func (d DeviceState) InSync() bool {
	return d.Assignment != nil && d.Status != nil && runs(d.Status.Running, d.Assignment)
}

// runs reports whether ref is the rollout's model: the same name and
// version, and the same bytes when the device says which. The sha256 alone
// is not enough: a new version may keep the old weights (a manifest change,
// e.g. thresholds), and the edge, which compares all three, must still be
// sent it.
func runs(ref store.ModelRef, a *store.Rollout) bool {
	if ref.Name != a.Name || ref.Version != a.Version {
		return false
	}
	return ref.SHA256 == "" || strings.EqualFold(ref.SHA256, a.SHA256)
}

// Device returns one device's wanted and reported model.
func (r *Registry) Device(ctx context.Context, deviceID string) (DeviceState, error) {
	d := DeviceState{DeviceID: deviceID}
	a, err := r.opts.Store.DeviceAssignment(ctx, deviceID)
	switch {
	case err == nil:
		d.Assignment = a
	case !errors.Is(err, store.ErrNotFound):
		return d, err
	}
	s, err := r.opts.Store.GetDeviceModel(ctx, deviceID)
	switch {
	case err == nil:
		d.Status = s
	case !errors.Is(err, store.ErrNotFound):
		return d, err
	}
	return d, nil
}

// Overview is everything the admin page shows.
type Overview struct {
	Versions []store.ModelVersion
	Groups   []store.DeviceGroup
	Rollouts []store.Rollout
	Devices  []DeviceState
}

// Overview lists versions, groups, the latest rollouts, and every device
// that is in a group or has reported a model.
func (r *Registry) Overview(ctx context.Context, rollouts int) (*Overview, error) {
	o := &Overview{}
	var err error
	if o.Versions, err = r.opts.Store.ListModelVersions(ctx); err != nil {
		return nil, err
	}
	if o.Groups, err = r.opts.Store.ListDeviceGroups(ctx); err != nil {
		return nil, err
	}
	if o.Rollouts, err = r.opts.Store.ListRollouts(ctx, rollouts); err != nil {
		return nil, err
	}
	statuses, err := r.opts.Store.ListDeviceModels(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, g := range o.Groups {
		for _, d := range g.Devices {
			ids[d] = true
		}
	}
	for _, s := range statuses {
		ids[s.DeviceID] = true
	}
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		d, err := r.Device(ctx, id)
		if err != nil {
			return nil, err
		}
		o.Devices = append(o.Devices, d)
	}
	return o, nil
}
