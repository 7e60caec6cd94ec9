package scene

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"os/exec"

	"gocv.io/x/gocv"
)

// encoder pipes raw BGR frames into ffmpeg, which writes H.264 in MP4.
type encoder struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	stderr bytes.Buffer
	size   image.Point
}

func newEncoder(out string, size image.Point, fps float64) (*encoder, error) {
	e := &encoder{size: size}
	// Good quality (crf 20) so the scene's own artefacts are the staged
	// ones; camsim transcodes it again as a camera would.
	e.cmd = exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "rawvideo", "-pix_fmt", "bgr24", "-s", fmt.Sprintf("%dx%d", size.X, size.Y), "-r", fmt.Sprint(fps), "-i", "-",
		"-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-g", "20", "-f", "mp4", out)
	e.cmd.Stderr = &e.stderr
	in, err := e.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	e.in = in
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start ffmpeg: %w", err)
	}
	return e, nil
}

func (e *encoder) write(m gocv.Mat) error {
	if m.Cols() != e.size.X || m.Rows() != e.size.Y || m.Type() != gocv.MatTypeCV8UC3 {
		return fmt.Errorf("frame %dx%d type %v, want %dx%d BGR", m.Cols(), m.Rows(), m.Type(), e.size.X, e.size.Y)
	}
	_, err := e.in.Write(m.ToBytes())
	return err
}

// close finishes the file and waits for ffmpeg.
func (e *encoder) close() error {
	e.in.Close()
	if err := e.cmd.Wait(); err != nil {
		return fmt.Errorf("ffmpeg: %w: %s", err, e.stderr.String())
	}
	return nil
}

// abort stops ffmpeg after a failed frame.
func (e *encoder) abort() {
	e.in.Close()
	_ = e.cmd.Process.Kill()
	_ = e.cmd.Wait()
}
