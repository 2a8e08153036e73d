package main

// What the controllers of a real cluster do, at once: pods for workloads.

import (
	"fmt"
	"log"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/rand"
)

// ---- controllers -----------------------------------------------------------

// controllerOf returns the workload (resource, name) a pod belongs to.
func controllerOf(p *corev1.Pod) (string, string) {
	ref := metav1.GetControllerOf(p)
	switch {
	case ref == nil:
		return "", ""
	case ref.Kind == "ReplicaSet": // named <deployment>-<pod-template-hash>
		return "deployments", strings.TrimSuffix(ref.Name, "-"+p.Labels[appsv1.DefaultDeploymentUniqueLabelKey])
	case ref.Kind == "StatefulSet":
		return "statefulsets", ref.Name
	}
	return "", ""
}

// podsOf returns the keys of the pods a workload controls.
func (s *server) podsOf(w runtime.Object) []string {
	m := mustAccessor(w)
	var keys []string
	for k, p := range s.objs["pods"] {
		pod := p.(*corev1.Pod)
		if r, n := controllerOf(pod); r == resourceName(w) && n == m.GetName() && pod.Namespace == m.GetNamespace() {
			keys = append(keys, k)
		}
	}
	return keys
}

func resourceName(w runtime.Object) string {
	if _, ok := w.(*appsv1.Deployment); ok {
		return "deployments"
	}
	return "statefulsets"
}

func podTemplate(w runtime.Object) corev1.PodTemplateSpec {
	if d, ok := w.(*appsv1.Deployment); ok {
		return d.Spec.Template
	}
	return w.(*appsv1.StatefulSet).Spec.Template
}

// reconcile makes the pods of a new workload and (re)computes its status.
// Pods appear at once and are Ready at once, so a workload is never partly
// rolled out: the status always reports all replicas ready.
func (s *server) reconcile(obj runtime.Object) {
	var spec *int32
	switch o := obj.(type) {
	case *appsv1.Deployment:
		spec = o.Spec.Replicas
	case *appsv1.StatefulSet:
		spec = o.Spec.Replicas
	default:
		return
	}
	m := mustAccessor(obj)
	if m.GetGeneration() == 0 { // just created: default and scale up
		m.SetGeneration(1)
		if spec == nil {
			spec = new(int32)
			*spec = 1
		}
		_, isDeployment := obj.(*appsv1.Deployment)
		ref := metav1.NewControllerRef(m, appsv1.SchemeGroupVersion.WithKind("StatefulSet"))
		hash := rand.String(10)
		if isDeployment {
			ref = metav1.NewControllerRef(m, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"))
			ref.Name = m.GetName() + "-" + hash // the ReplicaSet's name; its uid is the Deployment's here
		}
		for i := range int(*spec) {
			lbl := map[string]string{}
			name := fmt.Sprintf("%s-%d", m.GetName(), i)
			if isDeployment {
				lbl[appsv1.DefaultDeploymentUniqueLabelKey] = hash
				name = ref.Name + "-" + rand.String(5)
			} else {
				lbl[appsv1.StatefulSetPodNameLabel] = name
				lbl[appsv1.PodIndexLabel] = strconv.Itoa(i)
			}
			s.addPod(m.GetNamespace(), name, podTemplate(obj), lbl, []metav1.OwnerReference{*ref}, -1)
		}
	}
	n := int32(len(s.podsOf(obj)))
	switch o := obj.(type) {
	case *appsv1.Deployment:
		o.Spec.Replicas = spec
		o.Status = appsv1.DeploymentStatus{ObservedGeneration: o.Generation, Replicas: n, UpdatedReplicas: n,
			ReadyReplicas: n, AvailableReplicas: n, Conditions: []appsv1.DeploymentCondition{
				{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
				{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"}}}
	case *appsv1.StatefulSet:
		o.Spec.Replicas = spec
		o.Status = appsv1.StatefulSetStatus{ObservedGeneration: o.Generation, Replicas: n, ReadyReplicas: n,
			CurrentReplicas: n, UpdatedReplicas: n, AvailableReplicas: n,
			CurrentRevision: o.Name + "-0", UpdateRevision: o.Name + "-0"}
	}
	m.SetResourceVersion(s.nextRV())
}

// backendIndex is the index of a backend address, or -1.
func (s *server) backendIndex(addr string) int {
	for i, b := range s.backends {
		if b == addr {
			return i
		}
	}
	return -1
}

// schedule picks the backend (the machine) of a new pod: the next one in
// turn among those whose architecture its nodeSelector asks for, as the
// scheduler only places a pod on a node whose labels match.
func (s *server) schedule(t corev1.PodTemplateSpec) int {
	want := t.Spec.NodeSelector["kubernetes.io/arch"]
	for k := 0; k < len(s.backends); k++ {
		idx := (s.next + k) % len(s.backends)
		if want == "" || s.arches[idx] == want {
			s.next = idx + 1
			return idx
		}
	}
	log.Printf("no backend of arch %q: the pod goes to the next one", want)
	idx := s.next % len(s.backends)
	s.next++
	return idx
}

// addPod makes a pod from a template that is scheduled, started and ready,
// on backend idx, or (idx < 0) one the scheduler picks.
func (s *server) addPod(ns, name string, t corev1.PodTemplateSpec, extraLabels map[string]string, owners []metav1.OwnerReference, idx int) {
	if idx < 0 {
		idx = s.schedule(t)
	}
	p := &corev1.Pod{ObjectMeta: *t.ObjectMeta.DeepCopy(), Spec: *t.Spec.DeepCopy()}
	p.Name, p.OwnerReferences = name, owners
	p.Labels = labels.Merge(p.Labels, extraLabels)
	p.Annotations = labels.Merge(p.Annotations, map[string]string{backendAnnotation: s.backends[idx], socketAnnotation: s.sockets[idx]})
	p.Spec.NodeName = fmt.Sprintf("dbake-test-backend-%d", idx)
	now := metav1.Now()
	p.Status = corev1.PodStatus{Phase: corev1.PodRunning, HostIP: "127.0.0.1", PodIP: "127.0.0.1", StartTime: &now, QOSClass: corev1.PodQOSBestEffort}
	for _, c := range []corev1.PodConditionType{corev1.PodScheduled, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: c, Status: corev1.ConditionTrue, LastTransitionTime: now})
	}
	for _, c := range p.Spec.Containers {
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: c.Name, Image: c.Image,
			Ready: true, Started: &[]bool{true}[0], ContainerID: "dbake-test://" + s.backends[idx],
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}})
	}
	s.store(&resources[0], ns, p, nil)
}
