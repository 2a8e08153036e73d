// Command k8sapi is a small stand-in for the Kubernetes API server, just
// enough for the buildx v0.35 "kubernetes" driver and for dbake's tests.
//
// It keeps Deployments, StatefulSets, Pods and ConfigMaps in memory and acts
// as their controllers and kubelet at once: creating a Deployment or
// StatefulSet makes its pods immediately, already Running and Ready. There
// are no containers. A pod is only a name for one of the BuildKit daemons
// given with --backends (annotation dbake.test/backend), and "exec" into a
// pod runs `buildctl --addr unix://SOCKET dial-stdio` on this machine,
// streamed over SPDY the way the kubelet streams exec sessions.
//
// `buildctl dial-stdio` only dials unix:// addresses (inside a real pod it
// uses buildkitd's socket), so for each tcp:// backend this server listens
// on a unix socket that forwards to it, like the socket in a pod, and names
// it in the pod annotation dbake.test/socket.
//
// Not imitated: authentication, authorization, admission and validation,
// defaulting beyond spec.replicas, watches, protobuf responses (request
// bodies may be protobuf, since client-go's typed clients send it; responses
// are always JSON), namespaces as objects (any namespace exists), the
// scheduler, ReplicaSet objects (pods point at a ReplicaSet that cannot be
// fetched), garbage collection delays, graceful pod termination, scaling or
// updating workloads (PUT is only served for ConfigMaps), patch,
// fieldSelector, and exec of anything but `buildctl dial-stdio` without a TTY.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/rand"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apimachinery/pkg/version"
)

// Pod annotations: the BuildKit daemon (tcp://...) a pod stands for, and
// the unix socket (unix://...) that reaches it, for buildctl dial-stdio.
const (
	backendAnnotation = "dbake.test/backend"
	socketAnnotation  = "dbake.test/socket"
)

// resource describes one served collection and the verbs served for it.
type resource struct {
	group, name, kind string
	verbs             []string
	newObj            func() runtime.Object
}

var resources = []resource{
	{"", "pods", "Pod", []string{"get", "list", "delete"}, func() runtime.Object { return &corev1.Pod{} }},
	{"", "configmaps", "ConfigMap", []string{"get", "list", "create", "update", "delete"}, func() runtime.Object { return &corev1.ConfigMap{} }},
	{"apps", "deployments", "Deployment", []string{"get", "list", "create", "delete"}, func() runtime.Object { return &appsv1.Deployment{} }},
	{"apps", "statefulsets", "StatefulSet", []string{"get", "list", "create", "delete"}, func() runtime.Object { return &appsv1.StatefulSet{} }},
}

func (r *resource) gvk() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: r.group, Version: "v1", Kind: r.kind}
}

func (r *resource) gr() schema.GroupResource {
	return schema.GroupResource{Group: r.group, Resource: r.name}
}

var codecs = func() serializer.CodecFactory {
	s := runtime.NewScheme()
	metav1.AddToGroupVersion(s, schema.GroupVersion{Version: "v1"})
	utilruntime.Must(corev1.AddToScheme(s))
	utilruntime.Must(appsv1.AddToScheme(s))
	return serializer.NewCodecFactory(s)
}()

type server struct {
	mu       sync.Mutex
	objs     map[string]map[string]runtime.Object // resource name -> "ns/name" -> object
	rv       int64                                // last resourceVersion handed out
	backends []string
	sockets  []string // unix:// address reaching each backend
	arches   []string // each backend's machine architecture (kubernetes.io/arch), or ""
	next     int      // round-robin position in backends, over all pods ever made
	buildctl string
}

func (s *server) nextRV() string {
	s.rv++
	return strconv.FormatInt(s.rv, 10)
}

// ---- HTTP routing ----------------------------------------------------------

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	switch path {
	case "version":
		writeJSON(w, 200, version.Info{Major: "1", Minor: "35", GitVersion: "v1.35.4-dbake.test",
			Platform: "linux/amd64", Compiler: "gc"})
		return
	case "api":
		writeJSON(w, 200, &metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"},
			ServerAddressByClientCIDRs: []metav1.ServerAddressByClientCIDR{{ClientCIDR: "0.0.0.0/0", ServerAddress: r.Host}}})
		return
	case "apis":
		gv := metav1.GroupVersionForDiscovery{GroupVersion: "apps/v1", Version: "v1"}
		writeJSON(w, 200, &metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"},
			Groups: []metav1.APIGroup{{Name: "apps", Versions: []metav1.GroupVersionForDiscovery{gv}, PreferredVersion: gv}}})
		return
	case "api/v1", "apis/apps/v1":
		writeJSON(w, 200, resourceList(strings.TrimPrefix(path, "api/")))
		return
	}

	var group, rest string
	switch {
	case strings.HasPrefix(path, "api/v1/"):
		group, rest = "", strings.TrimPrefix(path, "api/v1/")
	case strings.HasPrefix(path, "apis/apps/v1/"):
		group, rest = "apps", strings.TrimPrefix(path, "apis/apps/v1/")
	default:
		writeStatus(w, apierrors.NewNotFound(schema.GroupResource{}, ""))
		return
	}
	// .../namespaces/NS/RESOURCE[/NAME[/SUBRESOURCE]] or .../RESOURCE (list in all namespaces)
	parts := strings.Split(rest, "/")
	ns := ""
	if len(parts) >= 3 && parts[0] == "namespaces" {
		ns, parts = parts[1], parts[2:]
	}
	var res *resource
	for i := range resources {
		if resources[i].group == group && resources[i].name == parts[0] {
			res = &resources[i]
		}
	}
	if res == nil || len(parts) > 3 || (ns == "" && len(parts) > 1) {
		writeStatus(w, apierrors.NewNotFound(schema.GroupResource{Group: group, Resource: parts[0]}, ""))
		return
	}
	name, sub := "", ""
	if len(parts) > 1 {
		name = parts[1]
	}
	if len(parts) > 2 {
		sub = parts[2]
	}
	if sub == "exec" && res.name == "pods" {
		s.exec(w, r, ns, name)
		return
	}
	if sub != "" {
		writeStatus(w, apierrors.NewNotFound(res.gr(), name))
		return
	}

	verb := ""
	switch {
	case r.Method == http.MethodGet && name == "":
		verb = "list"
	case r.Method == http.MethodGet:
		verb = "get"
	case r.Method == http.MethodPost && name == "":
		verb = "create"
	case r.Method == http.MethodPut && name != "":
		verb = "update"
	case r.Method == http.MethodDelete && name != "":
		verb = "delete"
	}
	if !slices.Contains(res.verbs, verb) {
		writeStatus(w, apierrors.NewMethodNotSupported(res.gr(), strings.ToLower(r.Method)))
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	switch verb {
	case "list":
		s.list(w, r, res, ns)
	case "get":
		if obj := s.objs[res.name][ns+"/"+name]; obj != nil {
			writeJSON(w, 200, obj)
		} else {
			writeStatus(w, apierrors.NewNotFound(res.gr(), name))
		}
	case "create", "update":
		obj, err := decodeBody(r, res)
		if err != nil {
			writeStatus(w, apierrors.NewBadRequest(err.Error()))
			return
		}
		if verb == "create" {
			s.create(w, res, ns, obj)
		} else {
			s.update(w, res, ns, name, obj)
		}
	case "delete":
		obj := s.objs[res.name][ns+"/"+name]
		if obj == nil {
			writeStatus(w, apierrors.NewNotFound(res.gr(), name))
			return
		}
		s.remove(res.name, ns+"/"+name)
		// Real deletes of pods return the object (with deletionTimestamp,
		// while it terminates); here every delete is immediate.
		writeJSON(w, 200, obj)
	}
}

func resourceList(gv string) *metav1.APIResourceList {
	l := &metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv}
	for _, r := range resources {
		if (r.group == "") == (gv == "v1") {
			l.APIResources = append(l.APIResources, metav1.APIResource{Name: r.name, Namespaced: true, Kind: r.kind, Verbs: r.verbs})
			if r.name == "pods" {
				l.APIResources = append(l.APIResources, metav1.APIResource{Name: "pods/exec", Namespaced: true, Kind: "PodExecOptions", Verbs: []string{"create", "get"}})
			}
		}
	}
	return l
}

// decodeBody reads a JSON or protobuf body: buildx's typed clients call
// UseProtobufAsDefault, so they send protobuf; kubectl and curl send JSON.
func decodeBody(r *http.Request, res *resource) (runtime.Object, error) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	obj, gvk, err := codecs.UniversalDeserializer().Decode(data, nil, res.newObj())
	if err != nil {
		return nil, err
	}
	if *gvk != res.gvk() {
		return nil, fmt.Errorf("expected %s, got %s", res.gvk(), gvk)
	}
	return obj, nil
}

// ---- storage ---------------------------------------------------------------

func (s *server) list(w http.ResponseWriter, r *http.Request, res *resource, ns string) {
	q := r.URL.Query()
	if q.Get("watch") == "true" || q.Get("watch") == "1" || q.Get("fieldSelector") != "" {
		writeStatus(w, apierrors.NewBadRequest("watch and fieldSelector are not supported by this stand-in"))
		return
	}
	sel, err := labels.Parse(q.Get("labelSelector"))
	if err != nil {
		writeStatus(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	keys := make([]string, 0)
	for k, obj := range s.objs[res.name] {
		m, _ := meta.Accessor(obj)
		if (ns == "" || m.GetNamespace() == ns) && sel.Matches(labels.Set(m.GetLabels())) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys) // etcd returns keys in order: namespace/name
	items := make([]runtime.Object, 0, len(keys))
	for _, k := range keys {
		// Like the real server, items of a list carry no kind/apiVersion.
		item := s.objs[res.name][k].DeepCopyObject()
		item.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
		items = append(items, item)
	}
	writeJSON(w, 200, struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        metav1.ListMeta  `json:"metadata"`
		Items           []runtime.Object `json:"items"`
	}{metav1.TypeMeta{Kind: res.kind + "List", APIVersion: res.gvk().GroupVersion().String()},
		metav1.ListMeta{ResourceVersion: strconv.FormatInt(s.rv, 10)}, items})
}

func (s *server) create(w http.ResponseWriter, res *resource, ns string, obj runtime.Object) {
	m, _ := meta.Accessor(obj)
	if m.GetName() == "" && m.GetGenerateName() != "" {
		m.SetName(m.GetGenerateName() + rand.String(5))
	}
	switch {
	case m.GetName() == "":
		writeStatus(w, apierrors.NewBadRequest("name or generateName is required"))
	case m.GetNamespace() != "" && m.GetNamespace() != ns:
		writeStatus(w, apierrors.NewBadRequest("the namespace of the provided object does not match the namespace sent on the request"))
	case s.objs[res.name][ns+"/"+m.GetName()] != nil:
		writeStatus(w, apierrors.NewAlreadyExists(res.gr(), m.GetName()))
	default:
		s.store(res, ns, obj, nil)
		s.reconcile(obj)
		writeJSON(w, 201, obj)
	}
}

func (s *server) update(w http.ResponseWriter, res *resource, ns, name string, obj runtime.Object) {
	m, _ := meta.Accessor(obj)
	old := s.objs[res.name][ns+"/"+name]
	switch {
	case m.GetName() != name:
		writeStatus(w, apierrors.NewBadRequest("the name of the object does not match the name on the URL"))
	case old == nil:
		writeStatus(w, apierrors.NewNotFound(res.gr(), name))
	case m.GetResourceVersion() != "" && m.GetResourceVersion() != mustAccessor(old).GetResourceVersion():
		writeStatus(w, apierrors.NewConflict(res.gr(), name, errors.New("the object has been modified; please apply your changes to the latest version and try again")))
	default:
		s.store(res, ns, obj, old)
		writeJSON(w, 200, obj)
	}
}

func mustAccessor(obj runtime.Object) metav1.Object {
	m, err := meta.Accessor(obj)
	utilruntime.Must(err)
	return m
}

// store sets the fields the API server owns and saves obj. old is the object
// being replaced on update (nil on create).
func (s *server) store(res *resource, ns string, obj, old runtime.Object) {
	m := mustAccessor(obj)
	obj.GetObjectKind().SetGroupVersionKind(res.gvk())
	m.SetNamespace(ns)
	if old != nil {
		m.SetUID(mustAccessor(old).GetUID())
		m.SetCreationTimestamp(mustAccessor(old).GetCreationTimestamp())
	} else {
		m.SetUID(uuid.NewUUID())
		m.SetCreationTimestamp(metav1.Now())
	}
	m.SetResourceVersion(s.nextRV())
	s.objs[res.name][ns+"/"+m.GetName()] = obj
}

func (s *server) remove(resName, key string) {
	obj := s.objs[resName][key]
	delete(s.objs[resName], key)
	s.nextRV()
	switch o := obj.(type) {
	case *appsv1.Deployment, *appsv1.StatefulSet:
		// The garbage collector deletes dependents (asynchronously, in reality).
		for _, k := range s.podsOf(o) {
			delete(s.objs["pods"], k)
		}
	case *corev1.Pod:
		// The ReplicaSet controller replaces a lost pod with a new name; the
		// StatefulSet controller recreates the same name. The replacement
		// lands on the lost pod's backend (the machine whose room it freed),
		// so a test that deletes pods leaves one pod per backend.
		res, owner := controllerOf(o)
		if w := s.objs[res][o.Namespace+"/"+owner]; w != nil {
			name := o.Name
			if res == "deployments" {
				hash := o.Labels[appsv1.DefaultDeploymentUniqueLabelKey]
				name = owner + "-" + hash + "-" + rand.String(5)
			}
			s.addPod(o.Namespace, name, podTemplate(w), o.Labels, o.OwnerReferences,
				s.backendIndex(o.Annotations[backendAnnotation]))
			s.reconcile(w)
		}
	}
}

// ---- responses, logging, main ------------------------------------------------

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = 500, []byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"InternalError","code":500}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

func writeStatus(w http.ResponseWriter, err *apierrors.StatusError) {
	st := err.ErrStatus
	st.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
	writeJSON(w, int(st.Code), st)
}

// logWriter records the status code for the access log; it must still let
// the exec handler hijack the connection.
type logWriter struct {
	http.ResponseWriter
	code int
}

func (l *logWriter) WriteHeader(code int) {
	l.code = code
	l.ResponseWriter.WriteHeader(code)
}

func (l *logWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(l.ResponseWriter).Hijack()
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	addrFile := flag.String("addr-file", "", "also write the server URL to this file")
	backends := flag.String("backends", "", "comma-separated BuildKit addresses pods are backed by (tcp://127.0.0.1:PORT,...)")
	buildctl := flag.String("buildctl", "buildctl", "buildctl binary run for pods/exec")
	backendArch := flag.String("backend-arch", "", "comma-separated architecture of each backend's machine (kubernetes.io/arch), for pods whose nodeSelector asks for one")
	socketDir := flag.String("socket-dir", "", "directory for the unix sockets forwarding to tcp:// backends (default: a new temporary directory)")
	flag.Parse()
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetPrefix("k8sapi: ")

	s := &server{objs: map[string]map[string]runtime.Object{}, buildctl: *buildctl}
	for _, r := range resources {
		s.objs[r.name] = map[string]runtime.Object{}
	}
	for _, b := range strings.Split(*backends, ",") {
		if b = strings.TrimSpace(b); b != "" {
			s.backends = append(s.backends, b)
		}
	}
	if len(s.backends) == 0 {
		log.Fatal("--backends is required")
	}
	s.arches = make([]string, len(s.backends))
	if *backendArch != "" {
		a := strings.Split(*backendArch, ",")
		if len(a) != len(s.backends) {
			log.Fatal("--backend-arch needs one value per backend")
		}
		copy(s.arches, a)
	}
	dir := *socketDir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "k8sapi-"); err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
	}
	for i, b := range s.backends {
		if strings.HasPrefix(b, "unix://") {
			s.sockets = append(s.sockets, b)
			continue
		}
		if !strings.HasPrefix(b, "tcp://") {
			log.Fatalf("backend %s: only tcp:// and unix:// are supported", b)
		}
		path := filepath.Join(dir, fmt.Sprintf("backend-%d.sock", i))
		_ = os.Remove(path)
		ln, err := net.Listen("unix", path)
		if err != nil {
			log.Fatal(err)
		}
		defer os.Remove(path)
		go forward(ln, strings.TrimPrefix(b, "tcp://"))
		s.sockets = append(s.sockets, "unix://"+path)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile+".tmp", []byte(url+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(*addrFile+".tmp", *addrFile); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("listening on %s\n", url)
	log.Printf("serving %s, backends %v", url, s.backends)

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &logWriter{ResponseWriter: w, code: 200}
		s.ServeHTTP(lw, r)
		log.Printf("%s %s %d %s %q", r.Method, r.URL.RequestURI(), lw.code, time.Since(start).Round(time.Millisecond), r.UserAgent())
	})
	go func() {
		log.Print((&http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}).Serve(ln))
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	log.Printf("%v: exiting", <-sig) // deferred removals of the sockets run now
}

// forward copies connections on a backend's unix socket to and from its TCP
// address, passing on half-closes as buildctl dial-stdio relies on.
func forward(ln net.Listener, addr string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			b, err := net.Dial("tcp", addr)
			if err != nil {
				log.Printf("forward to %s: %v", addr, err)
				return
			}
			defer b.Close()
			done := make(chan struct{})
			go func() {
				_, _ = io.Copy(b, c)
				_ = b.(*net.TCPConn).CloseWrite()
				close(done)
			}()
			_, _ = io.Copy(c, b)
			_ = c.(*net.UnixConn).CloseWrite()
			<-done
		}()
	}
}
