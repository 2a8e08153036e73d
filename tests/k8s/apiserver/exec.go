package main

// pods/exec: the kubelet's side of client-go's SPDY remotecommand.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/httpstream/spdy"
	"k8s.io/apimachinery/pkg/util/remotecommand"
)

// ---- exec ------------------------------------------------------------------

type streamAndReply struct {
	httpstream.Stream
	replySent <-chan struct{}
}

// exec serves pods/exec like the kubelet's SPDY remotecommand server
// (protocols v4.channel.k8s.io down to v2, no TTY): the client opens an
// error stream plus one stream per requested stdin/stdout/stderr; the
// command's exit is reported on the error stream, as a metav1.Status in v4
// and as plain text (failures only) before.
func (s *server) exec(w http.ResponseWriter, r *http.Request, ns, name string) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeStatus(w, apierrors.NewMethodNotSupported(schema.GroupResource{Resource: "pods/exec"}, r.Method))
		return
	}
	s.mu.Lock()
	obj := s.objs["pods"][ns+"/"+name]
	s.mu.Unlock()
	if obj == nil {
		writeStatus(w, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, name))
		return
	}
	pod := obj.(*corev1.Pod)
	q := r.URL.Query()
	isSet := func(k string) bool { return q.Get(k) == "true" || q.Get(k) == "1" }
	container := q.Get("container")
	if container == "" && len(pod.Spec.Containers) == 1 {
		container = pod.Spec.Containers[0].Name
	}
	if !slices.ContainsFunc(pod.Spec.Containers, func(c corev1.Container) bool { return c.Name == container }) {
		writeStatus(w, apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", container, name)))
		return
	}
	if !isSet("stdin") && !isSet("stdout") && !isSet("stderr") {
		writeStatus(w, apierrors.NewBadRequest("you must specify at least 1 of stdin, stdout, stderr"))
		return
	}
	if isSet("tty") {
		writeStatus(w, apierrors.NewBadRequest("tty is not supported by this stand-in"))
		return
	}

	protocols := []string{remotecommand.StreamProtocolV4Name, remotecommand.StreamProtocolV3Name, remotecommand.StreamProtocolV2Name}
	proto, err := httpstream.Handshake(r, w, protocols)
	if err != nil {
		return // Handshake has answered 400/403
	}
	streams := make(chan streamAndReply, 8)
	conn := spdy.NewResponseUpgrader().UpgradeResponse(w, r, func(st httpstream.Stream, replySent <-chan struct{}) error {
		if st.Headers().Get(corev1.StreamType) == "" {
			return errors.New("stream type not specified")
		}
		select {
		case streams <- streamAndReply{st, replySent}:
			return nil
		default:
			return errors.New("too many streams")
		}
	})
	if conn == nil {
		return // UpgradeResponse has answered
	}
	defer conn.Close()

	want := map[string]bool{corev1.StreamTypeError: true}
	for _, t := range []string{corev1.StreamTypeStdin, corev1.StreamTypeStdout, corev1.StreamTypeStderr} {
		if isSet(t) { // the query parameters are named like the stream types
			want[t] = true
		}
	}
	got := map[string]httpstream.Stream{}
	timeout := time.After(remotecommand.DefaultStreamCreationTimeout)
	for len(got) < len(want) {
		select {
		case st := <-streams:
			if t := st.Headers().Get(corev1.StreamType); want[t] {
				got[t] = st
				select { // the stream is usable once its SYN_REPLY is out
				case <-st.replySent:
				case <-conn.CloseChan():
					return
				}
			}
		case <-timeout:
			log.Printf("exec %s/%s: timed out waiting for client streams", ns, name)
			return
		case <-conn.CloseChan():
			return
		}
	}
	writeExecStatus := func(st metav1.Status) {
		if proto == remotecommand.StreamProtocolV4Name {
			b, _ := json.Marshal(st)
			_, _ = got[corev1.StreamTypeError].Write(b)
		} else if st.Status != metav1.StatusSuccess {
			_, _ = got[corev1.StreamTypeError].Write([]byte(st.Message))
		}
		_ = got[corev1.StreamTypeError].Close()
	}

	command := q["command"]
	if !slices.Equal(command, []string{"buildctl", "dial-stdio"}) {
		writeExecStatus(apierrors.NewInternalError(fmt.Errorf(
			"dbake test stand-in: only `buildctl dial-stdio` can be run in a pod, not %q", command)).ErrStatus)
		return
	}

	cmd := exec.Command(s.buildctl, "--addr", pod.Annotations[socketAnnotation], "dial-stdio")
	cmd.Stderr = os.Stderr
	if st := got[corev1.StreamTypeStdout]; st != nil {
		cmd.Stdout = st
	}
	if st := got[corev1.StreamTypeStderr]; st != nil {
		cmd.Stderr = st
	}
	var stdin io.WriteCloser
	if got[corev1.StreamTypeStdin] != nil {
		stdin, _ = cmd.StdinPipe()
	}
	if err := cmd.Start(); err != nil {
		writeExecStatus(apierrors.NewInternalError(fmt.Errorf("error executing command in container: %w", err)).ErrStatus)
		return
	}
	if stdin != nil {
		go func() {
			_, _ = io.Copy(stdin, got[corev1.StreamTypeStdin])
			_ = stdin.Close() // client closed its stdin: EOF for the command
		}()
	}
	done := make(chan struct{})
	go func() { // client hung up: stop the command, as the kubelet does
		select {
		case <-conn.CloseChan():
			_ = cmd.Process.Kill()
		case <-done:
		}
	}()
	err = cmd.Wait()
	close(done)

	status := metav1.Status{Status: metav1.StatusSuccess}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.Exited() {
		status = metav1.Status{Status: metav1.StatusFailure, Reason: remotecommand.NonZeroExitCodeReason,
			Message: fmt.Sprintf("command terminated with non-zero exit code: %v", err),
			Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{
				{Type: remotecommand.ExitCodeCauseType, Message: strconv.Itoa(exitErr.ExitCode())}}}}
	} else if err != nil {
		status = apierrors.NewInternalError(fmt.Errorf("error executing command in container: %w", err)).ErrStatus
	}
	for _, t := range []string{corev1.StreamTypeStdout, corev1.StreamTypeStderr} {
		if st := got[t]; st != nil {
			_ = st.Close()
		}
	}
	writeExecStatus(status)
	// Let the client read the status and hang up first; the deferred Close
	// resets whatever is left.
	select {
	case <-conn.CloseChan():
	case <-time.After(5 * time.Second):
	}
}
