#!/usr/bin/env python3
# Independent reference implementation of the generator specified in lib/include/flatmin/rng.hpp
# (SplitMix64 seeding, xoshiro256**, 53-bit uniforms, polar normals with portable_log).
# It produced the golden values of lib/tests/test_rng.cpp.
import math
M=(1<<64)-1
def splitmix(state):
    state=(state+0x9e3779b97f4a7c15)&M
    z=state
    z=((z^(z>>30))*0xbf58476d1ce4e5b9)&M
    z=((z^(z>>27))*0x94d049bb133111eb)&M
    return state, z^(z>>31)
def rotl(x,k): return ((x<<k)|(x>>(64-k)))&M
class R:
    def __init__(s,seed):
        st=seed; s.s=[]
        for i in range(4):
            st,z=splitmix(st); s.s.append(z)
        s.spare=None
    def next(s):
        a=s.s
        res=(rotl((a[1]*5)&M,7)*9)&M
        t=(a[1]<<17)&M
        a[2]^=a[0]; a[3]^=a[1]; a[1]^=a[2]; a[0]^=a[3]; a[2]^=t; a[3]=rotl(a[3],45)
        return res
    def uniform(s): return (s.next()>>11)*2.0**-53
    def normal(s):
        if s.spare is not None:
            x=s.spare; s.spare=None; return x
        while True:
            u=2.0*s.uniform()-1.0; v=2.0*s.uniform()-1.0; q=u*u+v*v
            if q>0.0 and q<1.0: break
        f=math.sqrt(-2.0*plog(q)/q)
        s.spare=v*f
        return u*f
def plog(x):
    f,e=math.frexp(x)
    if f<0.70710678118654752440: f*=2.0; e-=1
    s=(f-1.0)/(f+1.0); s2=s*s
    p=1.0/27.0
    for k in range(12,-1,-1): p=p*s2+1.0/float(2*k+1)
    lf=2.0*s*p
    HI=6.93147180369123816490e-01; LO=1.90821492927058770002e-10
    de=float(e)
    return de*HI+(lf+de*LO)
r=R(42); print([r.normal().hex() for _ in range(4)])
for x in [0.5,1e-300,0.9999999,123.456,2.0]: print(x, plog(x).hex(), math.log(x).hex())
